/// The prose of the manual page that is not about one option: the parts
/// the command table cannot supply.
enum ManPageText {
    static let description = """
        ticketctl reads and rewrites the encrypted files in which noxtls servers keep \
        their TLS 1.3 resumption tickets. \
        Every command but init, manpage and completions opens stores with a key: the \
        exact bytes of the file named by --key-file or TICKETCTL_KEY_FILE. \
        A newline at the end of a key file is part of the key. \
        No option takes a key on the command line, where ps(1) would show it.

        Stores come in two seals. \
        noxtls 0.1.x wrote a GCM tag that differs from the standard one; noxtls 0.2 \
        fixed it. \
        Neither release can load the other's stores, and both report only that \
        authentication failed. \
        ticketctl reads both, says which seal a store has and which noxtls versions \
        can load it, and keeps that seal on every rewrite unless --seal asks for the \
        other.

        A rewrite never edits a store in place. \
        The new store is written to a temporary file beside it, fsync'd, read back, \
        and renamed over the old one, with the old one's owner and a mode of at most \
        0600. \
        Writers take an exclusive lock on the store. \
        A command that changes nothing leaves the file untouched.

        Commands that take several FILE operands handle each on its own: a failure is \
        reported against its file and the others go on.
        """

    static let keyFileVariable = """
        The key file to use when --key-file is not given. \
        The variable holds a path, never the key itself.
        """

    static let noColor = """
        When set to any value, inspect prints no colour even on a terminal. \
        Colour is never used when standard output is not a terminal.
        """

    static let files: [(String, String)] = [
        ("FILE.bak", "The previous store, kept by --backup as a hard link with its owner and mode."),
        (".FILE.ticketctl-*.tmp", """
            A temporary file beside FILE while a rewrite runs. \
            One left by a killed run is removed by the next rewrite, and inspect lists it.
            """),
    ]

    static let severalFiles = """
        With several FILE operands, the exit status is the highest of their statuses, \
        so that 0 means every store succeeded.
        """

    /// Plain text rather than cross-references, whose lint check would
    /// depend on which manuals the machine happens to have installed.
    static let seeAlso = """
        jq(1), crontab(5), systemd.timer(5), sysexits(3). \
        README.md in the ticketctl sources describes installation and has more \
        recipes.
        """

    struct Example {
        var title: String?
        var text: String
        var code: String
    }

    static let examples: [Example] = [
        Example(title: "Nightly rotation from cron", text: """
            Drop consumed and expired tickets every night at 03:15, waiting up to 30 \
            seconds for another ticketctl that holds a store's lock:
            """, code: """
            # /etc/cron.d/ticketctl
            15 3 * * * root TICKETCTL_KEY_FILE=/etc/noxtls/ticket.key /usr/local/bin/ticketctl rotate --quiet --wait 30 /var/lib/noxtls/*.store
            """),
        Example(title: "Nightly rotation from a systemd timer", text: """
            The same job as a service and a timer; enable it with \
            'systemctl enable --now ticketctl-rotate.timer':
            """, code: """
            # /etc/systemd/system/ticketctl-rotate.service
            [Unit]
            Description=Rotate noxtls resumption-ticket stores

            [Service]
            Type=oneshot
            Environment=TICKETCTL_KEY_FILE=/etc/noxtls/ticket.key
            ExecStart=/usr/local/bin/ticketctl rotate --quiet --wait 30 /var/lib/noxtls/tickets.store

            # /etc/systemd/system/ticketctl-rotate.timer
            [Timer]
            OnCalendar=*-*-* 03:15:00
            Persistent=true

            [Install]
            WantedBy=timers.target
            """),
        Example(title: "Revoking one client's tickets", text: """
            Drop every ticket with identity 6b5f and keep the previous store as \
            tickets.store.bak:
            """, code: """
            ticketctl invalidate-identity --identity 6b5f --backup \\
                --key-file /etc/noxtls/ticket.key /var/lib/noxtls/tickets.store
            """),
        Example(title: "Reports and surgery with jq", text: """
            Count tickets per lifetime, in hours:
            """, code: """
            ticketctl dump-json --key-file ticket.key tickets.store \\
                | jq -r '.tickets | group_by(.lifetime_ms)[] | "\\(.[0].lifetime_ms / 3600000) h\\t\\(length)"'
            """),
        Example(text: """
            Remove every consumed ticket issued before a moment, through JSON; \
            import-json replaces the store only after the whole document has been checked:
            """, code: """
            ticketctl dump-json --key-file ticket.key tickets.store \\
                | jq 'del(.tickets[] | select(.consumed and .issued_at_ms < 1764790000000))' \\
                | ticketctl import-json --key-file ticket.key tickets.store
            """),
        Example(text: """
            Alert from monitoring when any store needs attention; the reasons go to \
            standard error:
            """, code: """
            ticketctl inspect --check --expect-seal standard --quiet \\
                --key-file ticket.key /var/lib/noxtls/*.store || echo 'stores need attention'
            ticketctl inspect --json --key-file ticket.key tickets.store \\
                | jq '.[] | {file, seal, capacity_used_percent, next_expiry_in_ms}'
            """),
        Example(title: upgradeTitle, text: upgradeText, code: upgradeCommands),
    ]

    /// The same section title as README.md's.
    static let upgradeTitle = "Upgrading from noxtls 0.1 to 0.2"

    static let upgradeText = """
        A server running noxtls 0.2 cannot load a store sealed by 0.1, and a 0.1 \
        server cannot load one sealed by 0.2. \
        So each store changes seal at the moment the servers that load it change \
        release, and not before. \
        For each group of servers that share a store: \
        find the stores still in the 0.1 seal; \
        stop those servers; \
        reseal the store with rotate --seal standard, keeping a backup (rotate also \
        drops the consumed and expired tickets, which no server would accept); \
        start the servers on noxtls 0.2; \
        check the store. \
        To change the key in the same step, use re-key --seal standard instead, and \
        put the new key where the servers and ticketctl read it, keeping the old \
        one: the backup opens only with the old key. \
        To roll a group back to 0.1, put the backup back (with the old key, on the \
        re-key route), or reseal with --seal noxtls-0.1.
        """

    static let upgradeCommands = """
        # 1. Which stores are still sealed for noxtls 0.1 (status 1 if any):
        ticketctl inspect --check --expect-seal standard --quiet \\
            --key-file /etc/noxtls/ticket.key /var/lib/noxtls/*.store

        # 2. Stop the servers that load the store, then reseal it:
        ticketctl rotate --seal standard --backup \\
            --key-file /etc/noxtls/ticket.key /var/lib/noxtls/tickets.store
        #    or, changing the key at the same time, then putting the new key in place:
        ticketctl re-key --seal standard --backup --key-file /etc/noxtls/ticket.key \\
            --new-key-file /etc/noxtls/ticket.key.new /var/lib/noxtls/tickets.store
        mv /etc/noxtls/ticket.key /etc/noxtls/ticket.key.old
        mv /etc/noxtls/ticket.key.new /etc/noxtls/ticket.key

        # 3. Start the servers on noxtls 0.2, then check:
        ticketctl inspect --key-file /etc/noxtls/ticket.key /var/lib/noxtls/tickets.store

        # Roll back: reseal for 0.1 (or restore tickets.store.bak):
        ticketctl rotate --seal noxtls-0.1 \\
            --key-file /etc/noxtls/ticket.key /var/lib/noxtls/tickets.store
        """
}
