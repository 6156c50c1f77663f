from openisms.cli.main import main

main()
