PREFIX = "runner-helpers"
