/// Relative improvement over a baseline model (the "ImageNot" paper compares every model with AlexNet):
///   rᵢ = (aᵢ − a_base) / a_base
/// for accuracies a (any unit, the same for all). The baseline itself gets 0. Undefined (throws `StatisticError`)
/// when the baseline is not among the keys or its accuracy is ≤ 0 or not finite (an accuracy is positive; a negative
/// baseline would flip every sign), when any accuracy is negative, NaN or ±∞, and when an rᵢ leaves Double's range
/// (a subnormal baseline, or values ±1e308 apart): the model is named.
public func relativeImprovement(_ accuracies: [String: Double], baseline: String) throws -> [String: Double] {
    guard let base = accuracies[baseline] else {
        throw StatisticError.undefined("the baseline \(baseline) is not among the models")
    }
    guard base > 0, base.isFinite else {
        throw StatisticError.undefined("the baseline \(baseline)'s accuracy is \(base == 0 ? "0: nothing to divide by" : base.isFinite ? "\(base): an accuracy must be > 0" : "not a finite number")")
    }
    var result: [String: Double] = [:]
    for model in accuracies.keys.sorted() {
        let a = accuracies[model]!
        guard a >= 0 || a.isNaN else {
            throw StatisticError.undefined("the accuracy of \(model) is \(a): an accuracy must be ≥ 0")
        }
        let r = (a - base) / base
        guard r.isFinite else {
            throw StatisticError.undefined("the relative improvement of \(model) ((\(a) − \(base))/\(base)) is not a finite number")
        }
        result[model] = r
    }
    return result
}
