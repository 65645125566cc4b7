/// Global average pooling, NHWC: y[n, c] = (Σ_{h,w} x[n, h, w, c]) · (1/(H·W)).
/// Arithmetic: Float sum over pixels in row-major order, then one multiplication by Float(1/(H·W)).
/// Backward: dx[n, h, w, c] = dy[n, c] · Float(1/(H·W)).
public struct GlobalAveragePool: Sendable {
    public var batch: Int, pixels: Int, channels: Int
    public init(batch: Int, pixels: Int, channels: Int) { self.batch = batch; self.pixels = pixels; self.channels = channels }

    var scale: Float { Float(1 / Double(pixels)) }

    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for n in 0..<batch {
            let out = y + n * channels
            out.update(repeating: 0, count: channels)
            for p in 0..<pixels {
                let row = x + (n * pixels + p) * channels
                for c in 0..<channels { out[c] += row[c] }
            }
            for c in 0..<channels { out[c] *= scale }
        }
    }

    public func backward(dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        for n in 0..<batch {
            for p in 0..<pixels {
                let row = dx + (n * pixels + p) * channels
                for c in 0..<channels { row[c] = dy[n * channels + c] * scale }
            }
        }
    }
}

/// Max pooling, NHWC, k×k window, stride s, padding p (padded taps never win), as PyTorch's MaxPool2d.
/// Ties: the first maximum in window scan order (kh, then kw) wins, and receives the whole gradient.
/// Backward: dx = 0, then dx[argmax] += dy per output, outputs in (n, oh, ow, c) order.
public struct MaxPool: Sendable {
    public var batch: Int, height: Int, width: Int, channels: Int, kernel: Int, stride: Int, padding: Int
    public init(batch: Int, height: Int, width: Int, channels: Int, kernel: Int = 3, stride: Int = 2, padding: Int = 1) {
        self.batch = batch; self.height = height; self.width = width; self.channels = channels
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }
    public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    public var outputCount: Int { batch * outHeight * outWidth * channels }

    /// Returns, per output, the flat input index of its maximum.
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) -> [Int32] {
        var argmax = [Int32](repeating: 0, count: outputCount)
        for n in 0..<batch { for i in 0..<outHeight { for j in 0..<outWidth { for c in 0..<channels {
            var best = -Float.infinity, at = -1
            for kh in 0..<kernel { for kw in 0..<kernel {
                let ih = i * stride - padding + kh, iw = j * stride - padding + kw
                guard ih >= 0 && ih < height && iw >= 0 && iw < width else { continue }
                let index = ((n * height + ih) * width + iw) * channels + c
                if at < 0 || x[index] > best || (x[index].isNaN && !best.isNaN) { best = x[index]; at = index }
            } }
            let o = ((n * outHeight + i) * outWidth + j) * channels + c
            y[o] = best
            argmax[o] = Int32(at)
        } } } }
        return argmax
    }

    public func backward(dy: UnsafePointer<Float>, argmax: [Int32], dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: batch * height * width * channels)
        for o in 0..<outputCount { dx[Int(argmax[o])] += dy[o] }
    }
}
