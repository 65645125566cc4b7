import Foundation
@testable import Replay
import Testing

/// Zero-cost proxies against an independent implementation: scripts/golden/zero_cost_proxies.py builds the same two
/// tiny AnyNets in numpy and differentiates them with autograd (exact gradients and an exact Hessian-vector product for
/// grasp), numpy.corrcoef and eigvalsh for jacob_cov. One network has a grouped strided bottleneck with a projection,
/// the other a 7×7 stride-2 stem with max pooling and two basic blocks; BN γ and β are not 1 and 0.
struct ZeroCostProxyTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            var name: String; var spec: AnyNetSpec; var inputSize: Int; var parameters: [String: [Double]]
            var images: [Double]; var labels: [Int32]; var scores: [String: Double]
        }
        struct Eigen: Decodable { var matrix: [Double]; var n: Int; var eigenvalues: [Double] }
        var cases: [Case]
        var eigen: Eigen
    }

    static let golden = try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("golden/zero_cost_proxies.json")))

    static func model(_ c: Golden.Case) -> AnyNetModel {
        let model = AnyNetModel(spec: c.spec, inputSize: c.inputSize, seed: 1)
        for t in model.parameters.tensors where t.trainable {
            let values = c.parameters[t.name]!
            precondition(values.count == t.count, "\(t.name): \(values.count) vs \(t.count)")
            for i in 0..<t.count { t.values[i] = Float(values[i]) }
        }
        return model
    }

    @Test(arguments: golden.cases.map(\.name))
    func proxiesMatchAutograd(name: String) {
        let c = Self.golden.cases.first { $0.name == name }!
        let model = Self.model(c)
        #expect(Set(c.parameters.keys) == Set(model.parameters.tensors.filter(\.trainable).map(\.name)))
        let scores = model.zeroCostProxies(ZeroCostProxy.allCases, images: c.images.map(Float.init), labels: c.labels)
        for proxy in ZeroCostProxy.allCases {
            let expected = c.scores[proxy.rawValue]!, got = scores[proxy]!
            // Exact derivatives agree to rounding; grasp's central difference to ~1e-6.
            let tolerance = proxy == .grasp ? 1e-5 : 1e-9
            #expect(abs(got - expected) <= tolerance * max(1, abs(expected)), "\(name) \(proxy.rawValue): \(got) vs \(expected)")
        }
    }

    @Test func proxiesDoNotTouchTheModel() {
        let c = Self.golden.cases[0]
        let model = Self.model(c)
        let before = model.parameters.tensors.map(\.valueArray)
        let first = model.zeroCostProxies(ZeroCostProxy.allCases, images: c.images.map(Float.init), labels: c.labels)
        #expect(model.parameters.tensors.map(\.valueArray) == before)
        let second = model.zeroCostProxies(ZeroCostProxy.allCases, images: c.images.map(Float.init), labels: c.labels)
        #expect(first == second)
    }

    @Test func jacobiEigenvaluesMatchNumpy() {
        let e = Self.golden.eigen
        let got = symmetricEigenvalues(e.matrix, n: e.n)
        for (a, b) in zip(got, e.eigenvalues) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
    }

    @Test func jacobCovIsNaNForAConstantRow() {
        // Two rows, the second constant: its correlation is undefined.
        #expect(jacobianCovarianceScore([1, 2, 3, 5, 5, 5], rows: 2).isNaN)
        // Two perfectly correlated rows: C = [[1,1],[1,1]], λ = {0, 2}.
        let k = 1e-5
        let expected = -(log(0 + k) + 1 / (0 + k) + log(2 + k) + 1 / (2 + k))
        #expect(abs(jacobianCovarianceScore([1, 2, 3, 2, 4, 6], rows: 2) - expected) <= 1e-6 * abs(expected))
    }
}
