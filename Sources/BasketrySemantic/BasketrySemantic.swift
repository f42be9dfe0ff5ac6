// Placeholder: this module's code arrives with its issue.
