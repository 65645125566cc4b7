import Foundation

/// Empirical CDF curves as a standalone SVG, in the style of the representative-basis paper's Figure 19: one step
/// curve per population (F(v) = #{xᵢ ≤ v}/n, from `empiricalCDF`), the first series drawn black as the whole
/// population, a legend with each series' n. Output is a pure function of the inputs (coordinates with 2 decimals).
/// A series with no values is listed in the legend with n = 0 and not drawn; NaN or ±∞ values are left out of the axis
/// (a series holding one is not drawn, as `empiricalCDF` refuses it). Spans are taken of halves (x/2 − y/2, exact), so
/// values near ±1.8e308 do not overflow the axis into nan coordinates.
public struct ECDFPlot: Sendable {
    public var title: String
    public var xLabel: String
    public var series: [(label: String, values: [Double])]

    public init(title: String, xLabel: String, series: [(label: String, values: [Double])]) {
        self.title = title; self.xLabel = xLabel; self.series = series
    }

    static let colours = ["#000000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]

    public var svg: String {
        let (width, height, margin, legendWidth) = (480.0, 340.0, 56.0, 130.0)
        let all = series.flatMap(\.values).filter(\.isFinite)
        let lo = all.min() ?? 0, hi = all.max() ?? 1
        let pad = hi > lo ? (hi / 2 - lo / 2) * 0.06 : 1  // = (hi − lo)·0.03 whenever that does not overflow
        let (x0, x1) = (max(lo - pad, -Double.greatestFiniteMagnitude), min(hi + pad, Double.greatestFiniteMagnitude))
        let plotWidth = width - margin - legendWidth - 10, plotHeight = height - 1.5 * margin
        func px(_ v: Double) -> Double { margin + (v / 2 - x0 / 2) / (x1 / 2 - x0 / 2) * plotWidth }
        func py(_ p: Double) -> Double { margin / 2 + (1 - p) * plotHeight }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;") }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(margin + plotWidth / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">\(esc(title))</text>\n"
        out += "<rect x=\"\(f(margin))\" y=\"\(f(margin / 2))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"black\"/>\n"
        for t in 0...4 {
            let v = 2 * (x0 / 2 + (x1 / 2 - x0 / 2) * (Double(t) / 4)), p = Double(t) / 4  // = x0 + (x1 − x0)·t/4, in halves
            out += "<text x=\"\(f(px(v)))\" y=\"\(f(py(0) + 14))\" text-anchor=\"middle\">\(String(format: "%.1f", v))</text>\n"
            out += "<text x=\"\(f(margin - 4))\" y=\"\(f(py(p) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", p))</text>\n"
        }
        out += "<text x=\"\(f(margin + plotWidth / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        out += "<text transform=\"translate(14 \(f(height / 2))) rotate(-90)\" text-anchor=\"middle\">fraction ≤ x</text>\n"
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            let legendY = margin / 2 + 14 + Double(i) * 16
            out += "<line x1=\"\(f(width - legendWidth))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(width - legendWidth + 16))\" y2=\"\(f(legendY - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(f(width - legendWidth + 20))\" y=\"\(f(legendY))\">\(esc(s.label)) (n = \(s.values.count))</text>\n"
            guard let steps = try? empiricalCDF(s.values), !steps.isEmpty else { continue }
            var path = "M\(f(px(x0))),\(f(py(0)))"
            for step in steps { path += " H\(f(px(step.value))) V\(f(py(step.fraction)))" }
            path += " H\(f(px(x1)))"
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(i == 0 ? 2.5 : 1.5)\"/>\n"
        }
        return out + "</svg>\n"
    }
}
