import ArgumentParser
import Foundation

/// A text notebook: Markdown whose fenced ```reprise blocks are shell commands, each followed by a fenced ```output
/// block holding what they printed. Running a notebook executes the command blocks in order and rewrites every output
/// block (creating it when missing); all other text is kept byte for byte, so a second run changes nothing when the
/// commands are deterministic.
///
/// Fence info: "reprise" (every command of the block must exit 0) or "reprise exit=N" (every command but the last
/// must exit 0 and the last must exit N, e.g. 1 for a verify that finds differences). Each line of a block is one
/// command for /bin/sh (a command continued over several lines — a trailing "\\", an open quote, a { … } body, a
/// here-document — counts as one), all run by one shell from the current directory with the running `reprise` first
/// on PATH; stdout and stderr are captured together. The block stops at the first command that fails.
///
/// Line endings: CRLF, CR and LF all end a line (a file written on Windows parses like one written on Linux); a file
/// that used CRLF throughout is written back with CRLF.
struct NotebookDocument {
    enum Part {
        case text(String)
        case command(info: String, body: String, expectedExit: Int32)
        case output(String)
    }
    var parts: [Part] = []

    /// The file used CRLF for every line break.
    var crlf = false

    /// `text` with CRLF and lone CR line breaks as LF.
    static func normalizingLineEndings(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    var commandBlocks: Int { parts.filter { if case .command = $0 { return true } else { return false } }.count }

    init(parsing raw: String, path: String) throws {
        let source = Self.normalizingLineEndings(raw)
        crlf = raw.contains("\r\n") && !raw.replacingOccurrences(of: "\r\n", with: "").contains("\n")
        var lines = source.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var text: [String] = []
        func flushText() { if !text.isEmpty { parts.append(.text(text.joined(separator: "\n"))); text = [] } }
        var i = 0
        while i < lines.count {
            let line = lines[i]
            // A fence (CommonMark): n ≥ 3 backticks, then the info string; it is closed by a line of ≥ n backticks
            // alone. Only an info string whose first word is exactly "reprise", or exactly "output", is ours; any
            // other fenced block (e.g. a ````md example that shows a ```reprise block) is copied as text, unrun.
            // (CommonMark: the info string of a backtick fence contains no backtick, so a line of prose that starts
            // with an inline code span such as ```` ```reprise ```` is text.)
            let fence = line.prefix { $0 == "`" }.count
            let info = line.dropFirst(fence).trimmingCharacters(in: .whitespaces)
            guard fence >= 3, !info.contains("`") else { text.append(line); i += 1; continue }
            let closes = { (l: String) -> Bool in
                let ticks = l.prefix { $0 == "`" }.count
                return ticks >= fence && l.dropFirst(ticks).allSatisfy { $0 == " " || $0 == "\t" }
            }
            guard let close = lines[(i + 1)...].firstIndex(where: closes) else {
                throw CommandLineError(message: "\(path):\(i + 1): the \(String(repeating: "`", count: fence))\(info) block is never closed")
            }
            let ours = info.split(separator: " ").first == "reprise" || info == "output"
            guard ours else {
                text.append(contentsOf: lines[i...close])
                i = close + 1
                continue
            }
            let body = lines[(i + 1)..<close].joined(separator: "\n")
            flushText()
            if info == "output" {
                parts.append(.output(body))
            } else {
                var expected: Int32 = 0
                for word in info.split(separator: " ").dropFirst() {
                    guard word.hasPrefix("exit="), let n = Int32(word.dropFirst(5)), (0...255).contains(n) else {
                        throw CommandLineError(message: "\(path):\(i + 1): block option \"\(word)\": expected exit=N with N in 0…255")
                    }
                    guard expected == 0 else { throw CommandLineError(message: "\(path):\(i + 1): exit= given twice") }
                    expected = n
                }
                parts.append(.command(info: info, body: body, expectedExit: expected))
            }
            i = close + 1
        }
        flushText()
    }

    static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, run = 0
        for ch in text { if ch == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        return longest
    }

    /// The document as written back: LF, or CRLF when the file used CRLF throughout.
    var renderedForFile: String { crlf ? rendered.replacingOccurrences(of: "\n", with: "\r\n") : rendered }

    var rendered: String {
        parts.map { part -> String in
            switch part {
            case .text(let t): return t
            case .command(let info, let body, _): return "```\(info)\n\(body)\(body.isEmpty ? "" : "\n")```"
            case .output(let o):
                // A fence longer than any run of backticks in the output, so no output can close its block early
                // or inject a block of its own.
                let fence = String(repeating: "`", count: max(3, Self.longestBacktickRun(o) + 1))
                return "\(fence)output\n\(o)\(o.isEmpty ? "" : "\n")\(fence)"
            }
        }.joined(separator: "\n") + "\n"
    }
}

struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Run text notebooks (Markdown with ```reprise command blocks).",
        subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Execute a notebook's command blocks in order and write each output under its block.",
            discussion: """
            A ```reprise block holds shell commands (one per line); its output goes into the ```output block that
            follows it (created if missing, replaced otherwise). "```reprise exit=1" declares a block expected to exit
            with status 1. The file is rewritten only after every block ran as expected; a second run of a
            deterministic notebook changes nothing. With --check the file is never written: exit 1 if it would change.
            Exit status: 0 success; 1 a block exited with an unexpected status (or --check found a change); 2 bad input.
            Example: reprise notebook run notebooks-text/transfer.md
            """)

        @Argument(help: "Notebook files (Markdown), at least one; each must hold at least one ```reprise block.") var files: [String]
        @Flag(help: "Do not write; exit 1 if any output would change.") var check = false

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("no notebook given: name at least one Markdown file, e.g. notebooks-text/transfer.md") }
        }

        func run() throws {
            try reporting {
                var changed: [String] = []
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file), let source = String(data: data, encoding: .utf8) else {
                        throw CommandLineError(message: "\(file): cannot read the notebook")
                    }
                    var document = try NotebookDocument(parsing: source, path: file)
                    guard document.commandBlocks > 0 else {
                        throw CommandLineError(message: "\(file): no ```reprise command blocks; a notebook runs at least one (is it the right file?)")
                    }
                    var result: [NotebookDocument.Part] = []
                    var index = 0
                    var blocks = 0
                    while index < document.parts.count {
                        let part = document.parts[index]
                        result.append(part)
                        index += 1
                        guard case .command(_, let body, let expected) = part else { continue }
                        blocks += 1
                        let ran = try execute(body)
                        let commands = ran.commands
                        let failedEarly = ran.failedCommand.map { $0 < commands.count - 1 } ?? false
                        guard ran.status == expected && !failedEarly else {
                            writeStandardError(ran.output)
                            let at = ran.failedCommand ?? commands.count - 1
                            let command = commands.isEmpty ? "" : commands[at]
                            let line = command.isEmpty ? "" : " line \(commands.prefix(at).map { $0.components(separatedBy: "\n").count }.reduce(1, +)) (\(command.components(separatedBy: "\n")[0].prefix(60)))"
                            let rule = expected == 0 || failedEarly ? "every command must exit 0" + (expected == 0 ? "" : " but the last, which must exit \(expected)") : "expected \(expected)"
                            printError("\(file): block \(blocks)\(line) exited with status \(ran.status); \(rule)")
                            throw Exit.checkFailed
                        }
                        let output = ran.output
                        if index < document.parts.count, case .output = document.parts[index] { index += 1 }   // replaced
                        result.append(.output(output.hasSuffix("\n") ? String(output.dropLast()) : output))
                    }
                    document.parts = result
                    // Compared as text: a CRLF file whose outputs match is unchanged.
                    let same = document.rendered == NotebookDocument.normalizingLineEndings(source)
                    if !same {
                        changed.append(file)
                        if !check { try document.renderedForFile.write(toFile: file, atomically: true, encoding: .utf8) }
                    }
                    print("\(file): \(blocks) block\(blocks == 1 ? "" : "s") ran; \(same ? "unchanged" : check ? "WOULD CHANGE" : "outputs updated")")
                }
                if check && !changed.isEmpty { throw Exit.checkFailed }
            }
        }

        /// Runs a block's commands in one shell, stopping at the first that fails: the output, the status of the
        /// shell, the commands, and which command failed before the last (nil when none did).
        func execute(_ body: String) throws -> (output: String, status: Int32, commands: [String], failedCommand: Int?) {
            let commands = NotebookDocument.commands(in: body)
            let marker = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-notebook-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: marker) }
            var script = "__reprise_failed() { printf '%s' \"$1\" > \"$REPRISE_NOTEBOOK_FAILURE\"; exit \"$2\"; }\n"
            for (i, command) in commands.enumerated() {
                script += command + "\n"
                if i < commands.count - 1 { script += "__reprise_s=$?; [ \"$__reprise_s\" -eq 0 ] || __reprise_failed \(i) \"$__reprise_s\"\n" }
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            var environment = ProcessInfo.processInfo.environment
            let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
            environment["PATH"] = folder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["COLUMNS"] = "120"
            environment["REPRISE_NOTEBOOK_FAILURE"] = marker
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let failed = (try? String(contentsOfFile: marker, encoding: .utf8)).flatMap { Int($0) }
            return (String(decoding: data, as: UTF8.self), process.terminationStatus, commands, failed)
        }
    }
}

extension NotebookDocument {
    /// The block's lines grouped into complete shell commands: a line joins the next while `sh -n` finds it
    /// unfinished (trailing "\\", open quote, unclosed { … } or if … fi) or while a here-document is open.
    static func commands(in body: String) -> [String] {
        var commands: [String] = [], pending: [String] = []
        var heredoc: String?
        for line in body.components(separatedBy: "\n") {
            pending.append(line)
            if let delimiter = heredoc {
                if line.trimmingCharacters(in: CharacterSet(charactersIn: "\t")) == delimiter { heredoc = nil } else { continue }
            } else if let delimiter = hereDocumentDelimiter(in: line) {
                heredoc = delimiter
                continue
            }
            let text = pending.joined(separator: "\n")
            if isComplete(text) { commands.append(text); pending = [] }
        }
        if !pending.isEmpty { commands.append(pending.joined(separator: "\n")) }
        return commands
    }

    /// The delimiter word of a here-document opened on `line` (`<<EOF`, `<<-'EOF'`), if any.
    static func hereDocumentDelimiter(in line: String) -> String? {
        guard let range = line.range(of: "<<") else { return nil }
        var rest = line[range.upperBound...]
        if rest.hasPrefix("<") { return nil }   // <<< is not a here-document
        if rest.hasPrefix("-") { rest = rest.dropFirst() }
        let word = rest.drop { $0 == " " }.prefix { !" ;|&<>()".contains($0) }
        let delimiter = word.trimmingCharacters(in: CharacterSet(charactersIn: "'\"\\"))
        return delimiter.isEmpty ? nil : delimiter
    }

    /// Whether `text` parses as complete shell commands (`sh -n`; nothing is executed).
    static func isComplete(_ text: String) -> Bool {
        if text.hasSuffix("\\") { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-n", "-c", text]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return true }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
