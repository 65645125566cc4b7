import Foundation

/// A checkpoint: a list of named tensors, each stored as its own object so that a tensor identical across epochs or
/// runs (shared initial weights, frozen layers) is stored once.
public struct CheckpointRecord: Codable, Equatable, Sendable {
    public struct Tensor: Codable, Equatable, Sendable {
        /// Layer path, e.g. "s1.b1.f.a.conv.weight".
        public var name: String
        public var shape: [Int]
        /// "float32" (little-endian IEEE 754) is the only type so far.
        public var dtype: String
        public var object: ObjectID

        public init(name: String, shape: [Int], dtype: String = "float32", object: ObjectID) {
            self.name = name; self.shape = shape; self.dtype = dtype; self.object = object
        }

        public var elementCount: Int { shape.reduce(1, *) }
    }

    public var formatVersion: Int = 1
    public var run: ObjectID
    public var epoch: Int
    /// Optimiser steps taken so far.
    public var step: Int
    /// Model tensors (weights, BN statistics) then optimiser state (momentum buffers, "opt." prefix), in model order.
    public var tensors: [Tensor]

    public init(run: ObjectID, epoch: Int, step: Int, tensors: [Tensor]) {
        self.run = run; self.epoch = epoch; self.step = step; self.tensors = tensors
    }
}
