"""Deploy-time building blocks: the Pulumi components the stack programs compose."""
