import FoundationEssentials
import Glibc

// The same work as foundation.swift, through FoundationEssentials.
exit(ProcessInfo.processInfo.environment["HOME"] == nil ? 1 : 0)
