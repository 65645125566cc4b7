import ArgumentParser
import Foundation

/// A text notebook: Markdown whose fenced ```reprise blocks are shell commands, each followed by a fenced ```output
/// block holding what they printed. Running a notebook executes the command blocks in order and rewrites every output
/// block (creating it when missing); all other text is kept byte for byte, so a second run changes nothing when the
/// commands are deterministic.
///
/// Fence info: "reprise" (the block must exit 0) or "reprise exit=N" (must exit N, e.g. 1 for a verify that finds
/// differences). Each line of a block is one command for /bin/sh, run from the current directory with the running
/// `reprise` first on PATH; stdout and stderr are captured together.
struct NotebookDocument {
    enum Part {
        case text(String)
        case command(info: String, body: String, expectedExit: Int32)
        case output(String)
    }
    var parts: [Part] = []

    init(parsing source: String, path: String) throws {
        var lines = source.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var text: [String] = []
        func flushText() { if !text.isEmpty { parts.append(.text(text.joined(separator: "\n"))); text = [] } }
        var i = 0
        while i < lines.count {
            let line = lines[i]
            let info = line.hasPrefix("```") ? line.dropFirst(3).trimmingCharacters(in: .whitespaces) : nil
            guard let info, info.hasPrefix("reprise") || info == "output" else { text.append(line); i += 1; continue }
            guard let close = lines[(i + 1)...].firstIndex(where: { $0.hasPrefix("```") }) else {
                throw CommandLineError(message: "\(path):\(i + 1): the ```\(info) block is never closed")
            }
            let body = lines[(i + 1)..<close].joined(separator: "\n")
            flushText()
            if info == "output" {
                parts.append(.output(body))
            } else {
                var expected: Int32 = 0
                for word in info.split(separator: " ").dropFirst() {
                    guard word.hasPrefix("exit="), let n = Int32(word.dropFirst(5)) else {
                        throw CommandLineError(message: "\(path):\(i + 1): unknown block option \"\(word)\" (expected exit=N)")
                    }
                    expected = n
                }
                parts.append(.command(info: info, body: body, expectedExit: expected))
            }
            i = close + 1
        }
        flushText()
    }

    var rendered: String {
        parts.map { part -> String in
            switch part {
            case .text(let t): return t
            case .command(let info, let body, _): return "```\(info)\n\(body)\(body.isEmpty ? "" : "\n")```"
            case .output(let o): return "```output\n\(o)\(o.isEmpty ? "" : "\n")```"
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

        @Argument(help: "Notebook files (Markdown).") var files: [String]
        @Flag(help: "Do not write; exit 1 if any output would change.") var check = false

        func run() throws {
            try reporting {
                var changed: [String] = []
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file), let source = String(data: data, encoding: .utf8) else {
                        throw CommandLineError(message: "\(file): cannot read the notebook")
                    }
                    var document = try NotebookDocument(parsing: source, path: file)
                    var result: [NotebookDocument.Part] = []
                    var index = 0
                    var blocks = 0
                    while index < document.parts.count {
                        let part = document.parts[index]
                        result.append(part)
                        index += 1
                        guard case .command(_, let body, let expected) = part else { continue }
                        blocks += 1
                        let (output, status) = try execute(body)
                        guard status == expected else {
                            writeStandardError(output)
                            throw CommandLineError(message: "\(file): block \(blocks) exited with status \(status), expected \(expected)")
                        }
                        if index < document.parts.count, case .output = document.parts[index] { index += 1 }   // replaced
                        result.append(.output(output.hasSuffix("\n") ? String(output.dropLast()) : output))
                    }
                    document.parts = result
                    let rendered = document.rendered
                    if rendered != source {
                        changed.append(file)
                        if !check { try rendered.write(toFile: file, atomically: true, encoding: .utf8) }
                    }
                    print("\(file): \(blocks) block\(blocks == 1 ? "" : "s") ran; \(rendered == source ? "unchanged" : check ? "WOULD CHANGE" : "outputs updated")")
                }
                if check && !changed.isEmpty { throw Exit.checkFailed }
            }
        }

        func execute(_ body: String) throws -> (String, Int32) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", body]
            var environment = ProcessInfo.processInfo.environment
            let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
            environment["PATH"] = folder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["COLUMNS"] = "120"
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (String(decoding: data, as: UTF8.self), process.terminationStatus)
        }
    }
}
