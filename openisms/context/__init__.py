"""The context of the organisation (clause 4): scope, issues, interested parties, obligations."""
