import Foundation

/// A scatter plot as a standalone SVG (no fonts or scripts fetched), in the style of the representative-basis paper's
/// Figures 3–5: one point per architecture, the 10 best on the y dataset (lowest error) in orange, the 10 worst in red,
/// the coefficient in the title. Output is a pure function of the inputs (coordinates printed with 2 decimals).
/// Points with a NaN or ±∞ coordinate are left out (counted in an SVG comment); spans are taken of halves
/// (x/2 − y/2, exact), so values near ±1.8e308 do not overflow the axes into nan coordinates.
public struct ScatterPlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var x: [Double]
    public var y: [Double]
    /// How many best/worst points (by y, ascending = best) to colour.
    public var highlight = 10

    public init(title: String, xLabel: String, yLabel: String, x: [Double], y: [Double]) {
        precondition(x.count == y.count, "ScatterPlot: x and y differ in length")
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.x = x; self.y = y
    }

    public var svg: String {
        let (width, height, margin) = (420.0, 360.0, 56.0)
        let shown = x.indices.filter { x[$0].isFinite && y[$0].isFinite }
        func range(_ v: [Double]) -> (Double, Double) {
            let v = shown.map { v[$0] }
            guard let lo = v.min(), let hi = v.max() else { return (0, 1) }
            let pad = hi > lo ? (hi / 2 - lo / 2) * 0.1 : 1  // = (hi − lo)·0.05 whenever that does not overflow
            return (max(lo - pad, -Double.greatestFiniteMagnitude), min(hi + pad, Double.greatestFiniteMagnitude))
        }
        let (x0, x1) = range(x), (y0, y1) = range(y)
        func px(_ v: Double) -> Double { margin + (v / 2 - x0 / 2) / (x1 / 2 - x0 / 2) * (width - 1.5 * margin) }
        func py(_ v: Double) -> Double { height - margin - (v / 2 - y0 / 2) / (y1 / 2 - y0 / 2) * (height - 1.5 * margin) }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;") }
        let order = y.indices.sorted { y[$0] < y[$1] || (y[$0] == y[$1] && $0 < $1) }
        let k = min(highlight, y.count / 2)
        let best = Set(order.prefix(k)), worst = Set(order.suffix(k))
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">\(esc(title))</text>\n"
        out += "<rect x=\"\(f(margin))\" y=\"\(f(margin / 2))\" width=\"\(f(width - 1.5 * margin))\" height=\"\(f(height - 1.5 * margin))\" fill=\"none\" stroke=\"black\"/>\n"
        for t in 0...4 {
            // = x0 + (x1 − x0)·t/4 bit for bit, in halves so that it cannot overflow.
            let vx = 2 * (x0 / 2 + (x1 / 2 - x0 / 2) * (Double(t) / 4)), vy = 2 * (y0 / 2 + (y1 / 2 - y0 / 2) * (Double(t) / 4))
            out += "<text x=\"\(f(px(vx)))\" y=\"\(f(height - margin + 14))\" text-anchor=\"middle\">\(String(format: "%.1f", vx))</text>\n"
            out += "<text x=\"\(f(margin - 4))\" y=\"\(f(py(vy) + 4))\" text-anchor=\"end\">\(String(format: "%.1f", vy))</text>\n"
        }
        out += "<text x=\"\(f(width / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        out += "<text transform=\"translate(14 \(f(height / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        if shown.count < x.count { out += "<!-- \(x.count - shown.count) points with a non-finite coordinate left out -->\n" }
        for i in shown {
            let colour = best.contains(i) ? "#ff8c00" : worst.contains(i) ? "#d62728" : "#1f77b4"
            out += "<circle cx=\"\(f(px(x[i])))\" cy=\"\(f(py(y[i])))\" r=\"3\" fill=\"\(colour)\" fill-opacity=\"0.8\"/>\n"
        }
        return out + "</svg>\n"
    }
}
