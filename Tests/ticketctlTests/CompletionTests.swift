import Foundation
import XCTest

/// The completion scripts loaded into the real bash, zsh and fish, asked
/// what they offer, and compared with the generator's output.
final class CompletionTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scripts = repository.appendingPathComponent("completions")

    /// Every subcommand, written out so that adding one without its
    /// completion fails here.
    let subcommands = [
        "inspect", "dump-json", "rotate", "expire", "invalidate-identity", "re-key", "init", "import-json",
        "manpage", "completions",
    ]
    let rotateOptions = ["--key-file", "--key-fd", "--now", "--dry-run", "--seal", "--wait", "--backup", "--json", "--quiet", "--help"]

    /// A folder holding files whose names the shells should offer.
    func filesFolder() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        // "-k.key" tells an option's value from an operand: as an operand,
        // "-k" would be completed as an option, and match none.
        for name in ["alpha.store", "key file.key", "beta.key", "-k.key"] {
            _ = try directory.write(name, [1])
        }
        return directory
    }

    func require(_ shell: String) throws {
        guard Shell.available(shell) else {
            XCTFail("\(shell) is not installed: run scripts/install-deps.sh test")
            throw XCTSkip("\(shell) missing")
        }
    }

    func testCommittedScriptsAreTheGeneratorsOutput() throws {
        for (shell, file) in [("bash", "ticketctl.bash"), ("zsh", "_ticketctl"), ("fish", "ticketctl.fish")] {
            let generated = try CLI.run(["completions", shell])
            XCTAssertEqual(generated.status, 0, generated.stderr)
            let committed = try String(contentsOf: Self.scripts.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(generated.stdoutText, committed, "completions/\(file) is stale: run 'make generated'")
        }
        let help = try CLI.run(["--help"])
        for name in subcommands {
            XCTAssertTrue(help.stdoutText.contains("  \(name) "), "\(name) is not in the command table")
        }
        let unknown = try CLI.run(["completions", "tcsh"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("unknown shell 'tcsh'"), unknown.stderr)
    }

    // MARK: bash

    /// COMPREPLY after calling the completion function on `words`, the last
    /// being the word under the cursor.
    func bash(_ words: [String], in directory: String) throws -> [String] {
        let quotedWords = words.map(Shell.quote).joined(separator: " ")
        let script = """
            source /usr/share/bash-completion/bash_completion
            source \(Shell.quote(Self.scripts.appendingPathComponent("ticketctl.bash").path))
            COMP_WORDS=(\(quotedWords))
            COMP_CWORD=\(words.count - 1)
            COMP_LINE="${COMP_WORDS[*]}"
            COMP_POINT=${#COMP_LINE}
            _ticketctl
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try Shell.run("bash", script, in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    func testBashCompletesCommandsOptionsAndFileNames() throws {
        try require("bash")
        let folder = try filesFolder()
        let top = try bash(["ticketctl", ""], in: folder.path)
        for name in subcommands {
            XCTAssertTrue(top.contains(name), "bash does not offer \(name): \(top)")
        }
        XCTAssertEqual(try bash(["ticketctl", "im"], in: folder.path), ["import-json"])

        let rotate = try bash(["ticketctl", "rotate", "--"], in: folder.path)
        XCTAssertEqual(Set(rotate), Set(rotateOptions))
        XCTAssertTrue(try bash(["ticketctl", "init", "--m"], in: folder.path).contains("--max-entries"))
        XCTAssertTrue(try bash(["ticketctl", "import-json", "--"], in: folder.path).contains("--input"))

        XCTAssertEqual(try bash(["ticketctl", "rotate", "--key-file", "k"], in: folder.path), ["key file.key"])
        XCTAssertEqual(try bash(["ticketctl", "re-key", "--new-key-file", "b"], in: folder.path), ["beta.key"])
        XCTAssertEqual(try bash(["ticketctl", "inspect", "al"], in: folder.path), ["alpha.store"])
        XCTAssertEqual(try bash(["ticketctl", "rotate", "--key-file", "-k"], in: folder.path), ["-k.key"])
        XCTAssertEqual(try bash(["ticketctl", "re-key", "--new-key-file", "-k"], in: folder.path), ["-k.key"])
        XCTAssertEqual(Set(try bash(["ticketctl", "expire", ""], in: folder.path)), ["alpha.store", "key file.key", "beta.key", "-k.key"])
        XCTAssertEqual(Set(try bash(["ticketctl", "rotate", "--seal", ""], in: folder.path)), ["standard", "noxtls-0.1"])
        XCTAssertEqual(try bash(["ticketctl", "inspect", "--now", ""], in: folder.path), [], "a free value offers nothing")
    }

    // MARK: fish

    func fish(_ line: String, in directory: String) throws -> [String] {
        let script = """
            source \(Shell.quote(Self.scripts.appendingPathComponent("ticketctl.fish").path))
            complete -C \(Shell.quote(line))
            """
        let result = try Shell.run("fish", script, in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
    }

    func testFishCompletesCommandsOptionsAndFileNames() throws {
        try require("fish")
        let folder = try filesFolder()
        let top = try fish("ticketctl ", in: folder.path)
        for name in subcommands {
            XCTAssertTrue(top.contains(name), "fish does not offer \(name): \(top)")
        }
        XCTAssertFalse(top.contains("alpha.store"), "no file names before the command")

        XCTAssertEqual(Set(try fish("ticketctl rotate --", in: folder.path)), Set(rotateOptions))
        XCTAssertTrue(try fish("ticketctl init --", in: folder.path).contains("--max-entries"))
        XCTAssertTrue(try fish("ticketctl import-json --", in: folder.path).contains("--input"))

        XCTAssertEqual(try fish("ticketctl rotate --key-file k", in: folder.path), ["key file.key"])
        XCTAssertEqual(try fish("ticketctl re-key --new-key-file b", in: folder.path), ["beta.key"])
        XCTAssertEqual(try fish("ticketctl rotate --key-file -k", in: folder.path), ["-k.key"])
        XCTAssertEqual(try fish("ticketctl re-key --new-key-file -k", in: folder.path), ["-k.key"])
        XCTAssertEqual(try fish("ticketctl inspect al", in: folder.path), ["alpha.store"])
        XCTAssertEqual(Set(try fish("ticketctl rotate --seal ", in: folder.path)), ["standard", "noxtls-0.1"])
    }

    // MARK: zsh

    /// What zsh's completion system offers when Tab is pressed after `typed`
    /// in an interactive zsh on a pseudo-terminal (zsh/zpty), each match
    /// with the context _arguments completed it in, such as
    /// `option--key-file-1` for an option's value or `argument-rest` for an
    /// operand. A wrapper around compadd records every match added.
    func zshWithContext(_ typed: String, in directory: String) throws -> [(context: String, match: String)] {
        let scratch = try TemporaryDirectory()
        let functions = scratch.file("functions")
        try FileManager.default.createDirectory(atPath: functions, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Self.scripts.appendingPathComponent("_ticketctl").path, toPath: functions + "/_ticketctl")
        let matches = scratch.file("matches")
        let ready = scratch.file("ready")
        let startup = """
            PS1='' PROMPT='' RPROMPT=''
            fpath=(\(Shell.quote(functions)) $fpath)
            autoload -Uz compinit && compinit -u -D
            zstyle ':completion:*' list-prompt ''
            compadd() {
              local -a found
              builtin compadd -O found "$@"
              (( $#found )) && print -rl -- "${curcontext##*:}|"${^found} >> \(Shell.quote(matches))
              builtin compadd "$@"
            }
            print ready > \(Shell.quote(ready))
            """
        let startupPath = try scratch.write("startup.zsh", Array(startup.utf8))
        let driver = """
            zmodload zsh/zpty
            zpty -b shell 'zsh -f -i'
            zpty -w shell \(Shell.quote("source " + Shell.quote(startupPath)))
            for i in {1..200}; do [[ -s \(Shell.quote(ready)) ]] && break; sleep 0.05; done
            zpty -w -n shell \(Shell.quote(typed))$'\\t'
            for i in {1..100}; do [[ -s \(Shell.quote(matches)) ]] && break; sleep 0.05; done
            sleep 0.3
            zpty -d shell
            [[ -s \(Shell.quote(ready)) ]]
            """
        let result = try Shell.run("zsh", driver, in: directory)
        XCTAssertEqual(result.status, 0, "zsh did not start its completion system: \(result.stderr)")
        let found = (try? String(contentsOfFile: matches, encoding: .utf8)) ?? ""
        return found.split(separator: "\n").map { line in
            let parts = line.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }
    }

    func zsh(_ typed: String, in directory: String) throws -> [String] {
        Array(Set(try zshWithContext(typed, in: directory).map(\.match))).sorted()
    }

    /// The matches zsh completed as the value of `option`.
    func zshValues(_ typed: String, of option: String, in directory: String) throws -> [String] {
        try zshWithContext(typed, in: directory).filter { $0.context == "option\(option)-1" }.map(\.match)
    }

    func testZshCompletesCommandsOptionsAndFileNames() throws {
        try require("zsh")
        let folder = try filesFolder()
        let top = try zsh("ticketctl ", in: folder.path)
        for name in subcommands {
            XCTAssertTrue(top.contains(name), "zsh does not offer \(name): \(top)")
        }
        XCTAssertFalse(top.contains("alpha.store"), "no file names before the command")

        let rotate = try zsh("ticketctl rotate --", in: folder.path)
        XCTAssertEqual(Set(rotate), Set(rotateOptions))
        XCTAssertTrue(try zsh("ticketctl init --", in: folder.path).contains("--max-entries"))
        XCTAssertTrue(try zsh("ticketctl import-json --", in: folder.path).contains("--input"))

        XCTAssertTrue(try zshValues("ticketctl rotate --key-file k", of: "--key-file", in: folder.path).contains("key file.key"))
        XCTAssertTrue(try zshValues("ticketctl re-key --new-key-file b", of: "--new-key-file", in: folder.path).contains("beta.key"))
        let operand = try zshWithContext("ticketctl inspect al", in: folder.path)
        XCTAssertTrue(operand.contains { $0.context == "argument-rest" && $0.match == "alpha.store" }, "\(operand)")
        XCTAssertEqual(try zsh("ticketctl rotate --seal ", in: folder.path), ["noxtls-0.1", "standard"])
    }
}
