/// The model's named tensors, in model order: trainable parameters (with gradient and momentum buffer) and BN running
/// statistics. Checkpoints store the values of all of them, plus the momentum buffers as "opt.<name>".
/// Each tensor owns stable memory (a class with pointers), so kernels can read several and write others at once.
public final class Parameters {
    public final class Tensor {
        public let name: String
        public let shape: [Int]
        public let count: Int
        /// False for BN running statistics (not touched by the optimiser).
        public let trainable: Bool
        public let values: UnsafeMutablePointer<Float>
        public let gradient: UnsafeMutablePointer<Float>
        public let momentum: UnsafeMutablePointer<Float>

        init(name: String, shape: [Int], values: [Float], trainable: Bool) {
            self.name = name; self.shape = shape; self.count = values.count; self.trainable = trainable
            self.values = .allocate(capacity: max(1, count))
            self.values.initialize(from: values, count: count)
            self.gradient = .allocate(capacity: max(1, count))
            self.gradient.initialize(repeating: 0, count: max(1, count))
            self.momentum = .allocate(capacity: max(1, count))
            self.momentum.initialize(repeating: 0, count: max(1, count))
        }

        deinit { values.deallocate(); gradient.deallocate(); momentum.deallocate() }

        public var valueArray: [Float] { Array(UnsafeBufferPointer(start: values, count: count)) }
        public var momentumArray: [Float] { Array(UnsafeBufferPointer(start: momentum, count: count)) }
    }

    public private(set) var tensors: [Tensor] = []
    var index: [String: Int] = [:]

    func add(_ name: String, shape: [Int], values: [Float], trainable: Bool = true) -> Int {
        precondition(index[name] == nil, "duplicate parameter \(name)")
        precondition(values.count == shape.reduce(1, *))
        tensors.append(Tensor(name: name, shape: shape, values: values, trainable: trainable))
        index[name] = tensors.count - 1
        return tensors.count - 1
    }

    public subscript(i: Int) -> Tensor { tensors[i] }
    public var count: Int { tensors.count }
    public var trainableElementCount: Int { tensors.filter(\.trainable).reduce(0) { $0 + $1.count } }
    public func position(of name: String) -> Int? { index[name] }
}
