import Foundation
import XCTest

/// man/ticketctl.1: never stale, lint-clean, and complete.
final class ManPageTests: XCTestCase {
    static let page = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("man/ticketctl.1")

    func committed() throws -> String {
        try String(contentsOf: Self.page, encoding: .utf8)
    }

    func testCommittedPageIsTheGeneratorsOutput() throws {
        let generated = try CLI.run(["manpage"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertEqual(generated.stdoutText, try committed(), "man/ticketctl.1 is stale: run 'make generated'")
    }

    func testMandocLintReportsNothing() throws {
        guard Shell.available("mandoc") else {
            return XCTFail("mandoc is not installed: run scripts/install-deps.sh test")
        }
        let result = try Shell.run("sh", "mandoc -T lint \(Shell.quote(Self.page.path)) 2>&1")
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.status, 0)
    }

    func testEveryOptionThatHelpListsIsInItsCommandsSection() throws {
        let page = try committed()
        let overview = try CLI.run(["--help"]).stdoutText
        let commands = overview.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("commands:") }.dropFirst()
            .prefix { !$0.isEmpty }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertGreaterThanOrEqual(commands.count, 10)
        for command in commands {
            guard let start = page.range(of: "\n.Ss \(command)\n") else {
                XCTFail("no subsection for \(command)")
                continue
            }
            let section = page[start.upperBound...]
            let end = section.range(of: "\n.Ss ")?.lowerBound ?? section.endIndex
            let body = section[..<end]
            let help = try CLI.run([command, "--help"]).stdoutText
            let options = help.split(separator: "\n").filter { $0.hasPrefix("  -") }
            XCTAssertFalse(options.isEmpty, command)
            for line in options {
                let long = line.split(separator: " ").first { $0.hasPrefix("--") }.map(String.init) ?? ""
                XCTAssertTrue(body.contains(".It Fl \(long.dropFirst())") || body.contains("Fl \(long.dropFirst()) Ar")
                              || body.contains(" Fl \(long.dropFirst())"), "\(command) \(long) missing from the man page")
            }
        }
    }

    func testSectionsEnvironmentAndEveryExitStatus() throws {
        let page = try committed()
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
            XCTAssertTrue(page.contains("\n.Sh \(section)\n"), section)
        }
        XCTAssertTrue(page.contains(".It Ev TICKETCTL_KEY_FILE"))
        XCTAssertTrue(page.contains(".It Ev NO_COLOR"))
        XCTAssertTrue(page.contains(".Ss Upgrading from noxtls 0.1 to 0.2"))
        for status in [0, 1, 64, 65, 66, 69, 73, 74, 75, 77] {
            XCTAssertTrue(page.contains("\n.It \(status)\n"), "exit status \(status)")
        }
        for example in ["/etc/cron.d/ticketctl", "OnCalendar=", "| jq", "rotate --seal standard"] {
            XCTAssertTrue(page.contains(example), example)
        }
    }
}
