import Glibc

// Process start with the Swift runtime and Glibc only.
exit(getenv("HOME") == nil ? 1 : 0)
