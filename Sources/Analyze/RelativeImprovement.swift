/// Relative improvement over a baseline model (the "ImageNot" paper compares every model with AlexNet):
///   rᵢ = (aᵢ − a_base) / a_base
/// for accuracies a (any unit, the same for all). The baseline itself gets 0. Undefined (throws) when the baseline is
/// not among the keys or its accuracy is 0 or not finite.
public func relativeImprovement(_ accuracies: [String: Double], baseline: String) throws -> [String: Double] {
    guard let base = accuracies[baseline] else {
        throw StatisticError.undefined("the baseline \(baseline) is not among the models")
    }
    guard base != 0, base.isFinite else { throw StatisticError.undefined("the baseline accuracy is \(base)") }
    return accuracies.mapValues { ($0 - base) / base }
}
