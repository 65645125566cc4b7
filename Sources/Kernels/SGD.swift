/// Stochastic gradient descent with momentum, Nesterov and weight decay, as PyTorch's torch.optim.SGD (dampening 0).
///
/// Per element, in Float with this order of roundings (no FMA):
///   g = grad + wd·w
///   buf = g on the first step, else buf = μ·buf + g
///   u = nesterov ? g + μ·buf : buf
///   w = w − lr·u
public struct SGD: Sendable, Codable, Equatable {
    public var momentum: Float
    public var weightDecay: Float
    public var nesterov: Bool

    public init(momentum: Float = 0.9, weightDecay: Float = 5e-4, nesterov: Bool = true) {
        self.momentum = momentum; self.weightDecay = weightDecay; self.nesterov = nesterov
    }

    public func step(weights w: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, buffer: UnsafeMutablePointer<Float>,
                     count: Int, learningRate lr: Float, firstStep: Bool, weightDecay wdOverride: Float? = nil) {
        let wd = wdOverride ?? weightDecay
        for i in 0..<count {
            let g = gradient[i] + wd * w[i]
            let buf = firstStep ? g : momentum * buffer[i] + g
            buffer[i] = buf
            let u = nesterov ? g + momentum * buf : buf
            w[i] = w[i] - lr * u
        }
    }
}
