/// Clipping by global norm (PyTorch's `torch.nn.utils.clip_grad_norm_`, norm type 2), restated:
///   ‖g‖ = √(Σ g²) over every element of every given tensor's gradient, each square taken and summed in Double, tensor
///   by tensor in the given order and element by element within a tensor;
///   factor = maxNorm / (‖g‖ + 1e-6); if factor < 1, every gradient element is multiplied by Float(factor),
///   otherwise nothing changes (so a gradient below the bound keeps its bits).
/// FEAR's stage 2 uses it with `FearConfig.gradientClip` (5.0 in the paper).
struct GradientClipping {
    let maxNorm: Double

    /// Scales the gradients in place; returns the factor applied (1 when none was).
    @discardableResult
    func clip(_ tensors: [Parameters.Tensor]) -> Double {
        var squares = 0.0
        for t in tensors { for i in 0..<t.count { squares += Double(t.gradient[i]) * Double(t.gradient[i]) } }
        let factor = maxNorm / (squares.squareRoot() + 1e-6)
        guard factor < 1 else { return 1 }
        let f = Float(factor)
        for t in tensors { for i in 0..<t.count { t.gradient[i] *= f } }
        return factor
    }
}
