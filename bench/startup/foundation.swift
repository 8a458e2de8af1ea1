import Foundation

// The same work as essentials.swift, through the whole of Foundation.
exit(ProcessInfo.processInfo.environment["HOME"] == nil ? 1 : 0)
