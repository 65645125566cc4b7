/// Direct-loop references of `Conv2D`, generic so that tests can also run them in Double for gradient checks.
/// Loop orders follow the arithmetic stated in Conv2D.swift, so in Float they are bitwise equal to the fast kernels.
extension Conv2D {
    public func referenceForward<T: BinaryFloatingPoint>(x: [T], w: [T]) -> [T] {
        var y = [T](repeating: 0, count: outputCount)
        let (cg, kg) = (groupInChannels, groupOutChannels)
        for n in 0..<batch { for i in 0..<outHeight { for j in 0..<outWidth {
            for o in 0..<outChannels {
                let g = o / kg
                var acc: T = 0
                for kh in 0..<kernel { for kw in 0..<kernel {
                    let ih = i * stride - padding + kh, iw = j * stride - padding + kw
                    guard ih >= 0 && ih < height && iw >= 0 && iw < width else { continue }
                    for c in 0..<cg {
                        acc = acc.addingProduct(x[((n * height + ih) * width + iw) * inChannels + g * cg + c],
                                                w[((o * kernel + kh) * kernel + kw) * cg + c])
                    }
                } }
                y[((n * outHeight + i) * outWidth + j) * outChannels + o] = acc
            }
        } } }
        return y
    }

    public func referenceBackwardData<T: BinaryFloatingPoint>(dy: [T], w: [T]) -> [T] {
        var dx = [T](repeating: 0, count: inputCount)
        let (cg, kg) = (groupInChannels, groupOutChannels)
        for g in 0..<groups { for n in 0..<batch { for i in 0..<outHeight { for j in 0..<outWidth {
            let m = (n * outHeight + i) * outWidth + j
            for kh in 0..<kernel { for kw in 0..<kernel {
                let ih = i * stride - padding + kh, iw = j * stride - padding + kw
                for c in 0..<cg {
                    var acc: T = 0
                    for o in 0..<kg {
                        acc = acc.addingProduct(dy[m * outChannels + g * kg + o], w[(((g * kg + o) * kernel + kh) * kernel + kw) * cg + c])
                    }
                    if ih >= 0 && ih < height && iw >= 0 && iw < width {
                        dx[((n * height + ih) * width + iw) * inChannels + g * cg + c] += acc
                    }
                }
            } }
        } } } }
        return dx
    }

    public func referenceBackwardWeights<T: BinaryFloatingPoint>(x: [T], dy: [T]) -> [T] {
        var dw = [T](repeating: 0, count: weightCount)
        let (cg, kg) = (groupInChannels, groupOutChannels)
        for o in 0..<outChannels {
            let g = o / kg
            for kh in 0..<kernel { for kw in 0..<kernel { for c in 0..<cg {
                var acc: T = 0
                for n in 0..<batch { for i in 0..<outHeight { for j in 0..<outWidth {
                    let ih = i * stride - padding + kh, iw = j * stride - padding + kw
                    let xv: T = (ih >= 0 && ih < height && iw >= 0 && iw < width)
                        ? x[((n * height + ih) * width + iw) * inChannels + g * cg + c] : 0
                    acc = acc.addingProduct(dy[((n * outHeight + i) * outWidth + j) * outChannels + o], xv)
                } } }
                dw[((o * kernel + kh) * kernel + kw) * cg + c] = acc
            } } }
        }
        return dw
    }
}
