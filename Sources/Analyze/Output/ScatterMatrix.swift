import Foundation

/// A scatter-plot matrix as one standalone SVG, in the style of the representative-basis paper's Figure 21 / App. F:
/// panel (row i, column j) plots variable j (x) against variable i (y) over the observations with both values, with
/// Spearman ρ in the panel's corner; the diagonal shows the variable's name and n. Each panel is scaled to its own
/// data (5% margin). Missing values are `nil` and dropped pairwise; a panel with fewer than 3 points, or a constant
/// side, shows ρ as "—". Output is a pure function of the inputs (coordinates printed with 1 decimal).
public struct ScatterMatrix: Sendable {
    public var title: String
    public var names: [String]
    /// values[v][k]: variable v, observation k (all variables have the same observations).
    public var values: [[Double?]]

    public init(title: String, names: [String], values: [[Double?]]) {
        precondition(names.count == values.count, "ScatterMatrix: one name per variable")
        precondition(Set(values.map(\.count)).count <= 1, "ScatterMatrix: variables differ in length")
        self.title = title; self.names = names; self.values = values
    }

    public var svg: String {
        let n = names.count, cell = 110.0, margin = 30.0
        let size = margin + Double(n) * cell + 10
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;") }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(size))\" height=\"\(Int(size))\" viewBox=\"0 0 \(Int(size)) \(Int(size))\" font-family=\"sans-serif\" font-size=\"10\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(size / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">\(esc(title))</text>\n"
        for i in 0..<n {
            for j in 0..<n {
                let x0 = margin + Double(j) * cell, y0 = margin + Double(i) * cell
                out += "<rect x=\"\(f(x0 + 2))\" y=\"\(f(y0 + 2))\" width=\"\(f(cell - 4))\" height=\"\(f(cell - 4))\" fill=\"none\" stroke=\"#999\"/>\n"
                if i == j {
                    let count = values[i].compactMap { $0 }.count
                    out += "<text x=\"\(f(x0 + cell / 2))\" y=\"\(f(y0 + cell / 2))\" text-anchor=\"middle\" font-size=\"11\">\(esc(names[i]))</text>\n"
                    out += "<text x=\"\(f(x0 + cell / 2))\" y=\"\(f(y0 + cell / 2 + 14))\" text-anchor=\"middle\" fill=\"#666\">n = \(count)</text>\n"
                    continue
                }
                var xs: [Double] = [], ys: [Double] = []
                for (a, b) in zip(values[j], values[i]) { if let a, let b { xs.append(a); ys.append(b) } }
                // Points with a NaN or ±∞ coordinate are not drawn (ρ is then "—"); spans are taken of halves, exact, so
                // values near ±1.8e308 cannot overflow into nan coordinates (the same bits as (hi − lo)·0.05 otherwise).
                let shown = xs.indices.filter { xs[$0].isFinite && ys[$0].isFinite }
                func range(_ v: [Double]) -> (Double, Double) {
                    let v = shown.map { v[$0] }
                    guard let lo = v.min(), let hi = v.max() else { return (0, 1) }
                    let pad = hi > lo ? (hi / 2 - lo / 2) * 0.1 : 1
                    return (max(lo - pad, -Double.greatestFiniteMagnitude), min(hi + pad, Double.greatestFiniteMagnitude))
                }
                let (ax, bx) = range(xs), (ay, by) = range(ys)
                for k in shown {
                    let a = xs[k], b = ys[k]
                    let px = x0 + 6 + (a / 2 - ax / 2) / (bx / 2 - ax / 2) * (cell - 12), py = y0 + cell - 6 - (b / 2 - ay / 2) / (by / 2 - ay / 2) * (cell - 12)
                    out += "<circle cx=\"\(f(px))\" cy=\"\(f(py))\" r=\"1.6\" fill=\"#1f77b4\" fill-opacity=\"0.7\"/>\n"
                }
                let rho = (try? spearman(xs, ys).coefficient).map { String(format: "%.2f", $0) } ?? "—"
                out += "<text x=\"\(f(x0 + 6))\" y=\"\(f(y0 + 14))\" fill=\"#d62728\">ρ \(rho)</text>\n"
            }
        }
        return out + "</svg>\n"
    }
}
