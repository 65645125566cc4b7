import Foundation

/// Zero-cost proxies: architecture scores from one batch at (or after) initialisation, as defined by Abdelfattah et al.,
/// "Zero-Cost Proxies for Lightweight NAS" (ICLR 2021; code: foresight/pruners/measures/), the ones the FEAR seed
/// (App. A.4) evaluates. Facts used: shared/specs/models-and-methods.md §3.
///
/// Every score is computed by `DoubleNetwork` (double precision), BN in training mode (batch statistics) unless said,
/// on one batch with mean cross-entropy L (no label smoothing). "Weights" W are the conv and fully connected weights
/// (no biases, no BN parameters); each score sums a per-weight or per-layer quantity over all of them:
/// - grad_norm = Σ_layers ‖∂L/∂W_l‖₂ (per-layer Frobenius norm, then summed);
/// - snip = Σ |W ⊙ ∂L/∂W| (SNIP's connection sensitivity, Lee et al. 2019);
/// - grasp = Σ (−W ⊙ Hg), g = ∂L/∂W at the current weights, Hg = ∂/∂W (g · ∂L/∂W) (GraSP, Wang et al. 2020). Reprise
///   computes the Hessian-vector product by central differences, Hg ≈ (∇L(W + t·g) − ∇L(W − t·g)) / 2t, with
///   t·‖g‖ = 1e-5, halved (up to 30 times) until both perturbed passes see the same ReLU pattern and max-pool choices as
///   the unperturbed pass (a crossed kink would make the difference meaningless); relative error ~1e-6 against exact
///   second-order autodiff (Tests/ReplayTests/ZeroCostProxyTests.swift);
/// - fisher = Σ_layers Σ_k Δ_k · numel(W[k]), Δ_k = ½·mean_n (Σ_{h,w} a·∂L/∂a)² over output channel k of the layer's
///   output a (a conv's output before BN; the head's logits) (Theis et al. 2018, as in foresight's fisher.py);
/// - jacob_cov: J = ∂(Σ logits)/∂x, one row per image; C = corrcoef(J) (rows); λ = eigenvalues of C;
///   score = −Σ (ln(λ + 1e-5) + 1/(λ + 1e-5)) (Mellor et al. 2021, NASWOT's first version). NaN when a row of J is
///   constant (correlation undefined);
/// - synflow: every parameter replaced by its absolute value, BN removed (identity), input one all-ones image;
///   R = Σ logits; score = Σ |W ⊙ ∂R/∂W| (Tanaka et al. 2020). Data-agnostic: labels and images are not used.
/// The vote (2 of synflow, jacob_cov, snip) is a property of pairs of architectures: `RankingVote` in Analyze.
public enum ZeroCostProxy: String, CaseIterable, Codable, Sendable {
    case gradNorm = "grad_norm"
    case snip
    case grasp
    case fisher
    case jacobCov = "jacob_cov"
    case synflow
}

extension AnyNetModel {
    /// Scores of `proxies` on the model's current weights for one batch of NHWC images (BN running statistics are
    /// neither used nor changed). Values may be NaN or infinite (e.g. jacob_cov of a network whose input gradient is
    /// constant for some image); callers decide how to store them.
    public func zeroCostProxies(_ proxies: [ZeroCostProxy], images: [Float], labels: [Int32]) -> [ZeroCostProxy: Double] {
        let batch = labels.count
        precondition(spec.seRatio == nil, "zero-cost proxies: squeeze-excitation is not implemented in DoubleNetwork (ProxyRun rejects such specs)")
        precondition(images.count == batch * inputSize * inputSize * spec.inputChannels, "images do not fit the model")
        var scores: [ZeroCostProxy: Double] = [:]
        let wanted = Set(proxies)
        let net = DoubleNetwork(model: self, batchNorm: .batchStatistics)
        let weights = net.weightPositions
        let x = images.map(Double.init)
        let needsLossPass = !wanted.isDisjoint(with: [.gradNorm, .snip, .grasp, .fisher])
        if needsLossPass || wanted.contains(.jacobCov) {
            let (logits, tape) = net.forward(images: x, batch: batch)
            if needsLossPass {
                let (_, dLogits) = doubleCrossEntropy(logits: logits, labels: labels, classes: classes)
                var fisher = 0.0
                let g = net.backward(tape: tape, dLogits: dLogits, batch: batch) { position, output, gradient in
                    guard wanted.contains(.fisher) else { return }
                    let shape = self.parameters[position].shape
                    let channels = shape[0], perChannel = shape.dropFirst().reduce(1, *)
                    let act = output.isEmpty ? logits : output
                    let pixels = act.count / (batch * channels)
                    for k in 0..<channels {
                        var meanSquare = 0.0
                        for n in 0..<batch {
                            var s = 0.0
                            for p in 0..<pixels { let i = (n * pixels + p) * channels + k; s += act[i] * gradient[i] }
                            meanSquare += s * s
                        }
                        fisher += 0.5 * meanSquare / Double(batch) * Double(perChannel)
                    }
                }.parameters
                if wanted.contains(.fisher) { scores[.fisher] = fisher }
                if wanted.contains(.gradNorm) {
                    scores[.gradNorm] = weights.reduce(0) { $0 + g[$1].reduce(0) { $0 + $1 * $1 }.squareRoot() }
                }
                if wanted.contains(.snip) {
                    scores[.snip] = sumOfAbsoluteProducts(net.values, g, over: weights)
                }
                if wanted.contains(.grasp) {
                    scores[.grasp] = grasp(net: net, weights: weights, gradient: g, baseTape: tape, images: x, labels: labels)
                }
            }
            if wanted.contains(.jacobCov) {
                let dx = net.backward(tape: tape, dLogits: [Double](repeating: 1, count: logits.count), batch: batch).input
                scores[.jacobCov] = jacobianCovarianceScore(dx, rows: batch)
            }
        }
        if wanted.contains(.synflow) {
            let plain = DoubleNetwork(model: self, batchNorm: .removed)
            plain.values = plain.values.map { $0.map(abs) }
            let ones = [Double](repeating: 1, count: inputSize * inputSize * spec.inputChannels)
            let (logits, tape) = plain.forward(images: ones, batch: 1)
            let g = plain.backward(tape: tape, dLogits: [Double](repeating: 1, count: logits.count), batch: 1).parameters
            scores[.synflow] = sumOfAbsoluteProducts(plain.values, g, over: weights)
        }
        return scores
    }

    private func grasp(net: DoubleNetwork, weights: [Int], gradient g: [[Double]], baseTape: [DoubleNetwork.TapeEntry],
                       images: [Double], labels: [Int32]) -> Double {
        let norm = weights.reduce(0) { acc, w in acc + g[w].reduce(0) { $0 + $1 * $1 } }.squareRoot()
        guard norm > 0 else { return 0 }
        let base = activationPattern(baseTape), original = net.values
        var t = 1e-5 / norm
        var hg: [[Double]] = []
        for _ in 0...30 {
            var sides: [[[Double]]] = []
            var sameKinks = true
            for sign in [1.0, -1.0] {
                net.values = original
                for w in weights { for i in net.values[w].indices { net.values[w][i] += sign * t * g[w][i] } }
                let (logits, tape) = net.forward(images: images, batch: labels.count)
                if activationPattern(tape) != base { sameKinks = false }
                let d = doubleCrossEntropy(logits: logits, labels: labels, classes: classes).gradient
                sides.append(net.backward(tape: tape, dLogits: d, batch: labels.count).parameters)
            }
            hg = weights.map { w in (0..<g[w].count).map { (sides[0][w][$0] - sides[1][w][$0]) / (2 * t) } }
            if sameKinks { break }
            t /= 2
        }
        net.values = original
        var score = 0.0
        for (j, w) in weights.enumerated() { for i in original[w].indices { score -= original[w][i] * hg[j][i] } }
        return score
    }

    /// Which ReLUs pass and which inputs max pooling picks: equal patterns mean no kink lies between two passes.
    private func activationPattern(_ tape: [DoubleNetwork.TapeEntry]) -> [Int] {
        var bits: [Int] = []
        func add(_ v: [Double]) { bits.append(contentsOf: v.map { $0 > 0 ? 1 : 0 }) }
        for entry in tape {
            switch entry {
            case .convBN(let r): add(r.output)
            case .maxPool(let argmax, _): bits.append(contentsOf: argmax)
            case .block(let branch, let projection, let output): branch.forEach { add($0.output) }; projection.map { add($0.output) }; add(output)
            case .head: break
            }
        }
        return bits
    }
}

/// Σ over the tensors at `positions` of Σ_i |θ_i · g_i| (snip's and synflow's per-weight saliency, summed).
private func sumOfAbsoluteProducts(_ values: [[Double]], _ gradients: [[Double]], over positions: [Int]) -> Double {
    positions.reduce(0) { acc, w in acc + zip(values[w], gradients[w]).reduce(0) { $0 + abs($1.0 * $1.1) } }
}

/// jacob_cov's score of a Jacobian with `rows` rows (see `ZeroCostProxy`): −Σ (ln(λ + k) + 1/(λ + k)), k = 1e-5, over
/// the eigenvalues λ of the rows' Pearson correlation matrix (entries clipped to [−1, 1] as numpy.corrcoef does).
func jacobianCovarianceScore(_ jacobian: [Double], rows: Int) -> Double {
    let d = jacobian.count / rows
    var centred = jacobian
    var norms = [Double](repeating: 0, count: rows)
    for r in 0..<rows {
        let mean = jacobian[(r * d)..<((r + 1) * d)].reduce(0, +) / Double(d)
        for j in 0..<d { centred[r * d + j] -= mean; norms[r] += centred[r * d + j] * centred[r * d + j] }
        norms[r] = norms[r].squareRoot()
    }
    if norms.contains(0) { return .nan }
    var c = [Double](repeating: 0, count: rows * rows)
    for i in 0..<rows {
        for j in i..<rows {
            var dot = 0.0
            for k in 0..<d { dot += centred[i * d + k] * centred[j * d + k] }
            let v = min(1, max(-1, dot / (norms[i] * norms[j])))
            c[i * rows + j] = v; c[j * rows + i] = v
        }
    }
    let k = 1e-5
    return -symmetricEigenvalues(c, n: rows).reduce(0) { $0 + log($1 + k) + 1 / ($1 + k) }
}
