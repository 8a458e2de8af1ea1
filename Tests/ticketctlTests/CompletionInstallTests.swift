import Foundation
import XCTest

/// `make install-files` into a staging DESTDIR: everything lands where the
/// shells and man look, and bash and fish find the completions there by
/// themselves.
final class CompletionInstallTests: XCTestCase {
    func testInstallStagesTheBinaryManPageAndCompletionsWhereShellsFindThem() throws {
        let stage = try TemporaryDirectory()
        let repository = CompletionTests.repository.path
        let make = try Shell.run(
            "sh",
            "make -s -C \(Shell.quote(repository)) install-files DESTDIR=\(Shell.quote(stage.path)) PREFIX=/usr BINARY=\(Shell.quote(CLI.binary.path))")
        XCTAssertEqual(make.status, 0, make.stderr)

        let installed: [(String, String?, mode_t)] = [
            ("usr/bin/ticketctl", nil, 0o755),
            ("usr/share/man/man1/ticketctl.1", "man/ticketctl.1", 0o644),
            ("usr/share/bash-completion/completions/ticketctl", "completions/ticketctl.bash", 0o644),
            ("usr/share/zsh/vendor-completions/_ticketctl", "completions/_ticketctl", 0o644),
            ("usr/share/fish/vendor_completions.d/ticketctl.fish", "completions/ticketctl.fish", 0o644),
        ]
        for (path, source, mode) in installed {
            var info = stat()
            XCTAssertEqual(stat(stage.file(path), &info), 0, path)
            XCTAssertEqual(info.st_mode & 0o7777, mode, path)
            if let source {
                XCTAssertEqual(try readBytes(stage.file(path)), try readBytes(repository + "/" + source), path)
            }
        }
        let version = try Shell.run("sh", Shell.quote(stage.file("usr/bin/ticketctl")) + " --version")
        XCTAssertTrue(version.stdout.hasPrefix("ticketctl "), version.stdout + version.stderr)

        let share = ["XDG_DATA_DIRS": stage.file("usr/share")]
        let bash = try Shell.run(
            "bash",
            "source /usr/share/bash-completion/bash_completion; __load_completion ticketctl && complete -p ticketctl",
            environment: share)
        XCTAssertEqual(bash.stdout, "complete -F _ticketctl ticketctl\n", bash.stderr)
        let fish = try Shell.run("fish", "complete -C 'ticketctl imp'", environment: share)
        XCTAssertTrue(fish.stdout.hasPrefix("import-json\t"), fish.stdout + fish.stderr)
    }
}
