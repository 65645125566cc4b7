import Foundation
import FuzzSupport

/// The text-notebook parser (NotebookDocument, compiled here from the command line's own source through the
/// symlinks beside this file: it lives in the executable target, which nothing can import), then its rendering and
/// the parse of that rendering (a notebook's second run must change nothing).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let source = FuzzInput(data, size).utf8Text,
          let document = try? NotebookDocument(parsing: source, path: "fuzz.md") else { return 0 }
    let rendered = document.rendered
    if let again = try? NotebookDocument(parsing: rendered, path: "fuzz.md") { _ = again.rendered }
    return 0
}

@main enum FuzzNotebook { static func main() { runLibFuzzer(fuzz) } }
