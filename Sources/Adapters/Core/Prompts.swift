import CLIP
import Foundation
import Tensor

/// Learned prompt vectors shared by all labels, in token-embedding space (Efficient-Prompt):
/// `[SOT][prefix × K₁][label tokens][postfix × K₂][EOT]`, pooled at the EOT's position
/// 1 + K₁ + L + K₂. A label longer than the context allows is cut (EOT kept).
final class PromptLearner {
    let prefixCount: Int, postfixCount: Int, width: Int
    let prefix: Parameter      // [K₁, W]
    let postfix: Parameter     // [K₂, W]

    init(prefix k1: Int, postfix k2: Int, width: Int, rng: inout SeededRandom, std: Float = 0.01) {
        prefixCount = k1; postfixCount = k2; self.width = width
        let a = FloatBuffer(count: k1 * width), b = FloatBuffer(count: k2 * width)
        rng.fill(a, std: std)
        rng.fill(b, std: std)
        prefix = Parameter("prompt.prefix", shape: [k1, width], value: a, decay: true)
        postfix = Parameter("prompt.postfix", shape: [k2, width], value: b, decay: true)
    }

    init(prefix: Parameter, postfix: Parameter) {
        self.prefix = prefix; self.postfix = postfix
        prefixCount = prefix.shape[0]; postfixCount = postfix.shape[0]; width = prefix.shape[1]
    }

    var parameters: [Parameter] { [prefix, postfix] }

    /// The label's content tokens: the tokenizer output without SOT/EOT, cut to fit the context.
    func content(_ ids: [Int], context: Int) -> [Int] {
        let body = ids.filter { $0 != Tokenizer.startToken && $0 != Tokenizer.endToken }
        return Array(body.prefix(max(0, context - 2 - prefixCount - postfixCount)))
    }

    /// Input embeddings x [B, seq, W] of the prompted labels and each label's end position.
    /// `labels` are content token ids (see `content`); padding rows after the end token are zero
    /// (the causal mask keeps them from touching the pooled row).
    func embed(labels: [[Int]], tower: FrozenTextTower) -> (x: FloatBuffer, seq: Int, ends: [Int]) {
        let w = width, k1 = prefixCount, k2 = postfixCount
        let ends = labels.map { 1 + k1 + $0.count + k2 }
        let seq = (ends.max() ?? 0) + 1
        let x = FloatBuffer(count: labels.count * seq * w)
        let table = tower.tokenEmbedding.pointer
        for (b, ids) in labels.enumerated() {
            let row = x.pointer + b * seq * w
            row.update(from: table + Tokenizer.startToken * w, count: w)
            (row + w).update(from: prefix.value.pointer, count: k1 * w)
            for (j, id) in ids.enumerated() { (row + (1 + k1 + j) * w).update(from: table + id * w, count: w) }
            (row + (1 + k1 + ids.count) * w).update(from: postfix.value.pointer, count: k2 * w)
            (row + ends[b] * w).update(from: table + Tokenizer.endToken * w, count: w)
        }
        return (x, seq, ends)
    }

    /// Accumulates d(prompt vectors) from dX [B, seq, W], the gradient of the input embeddings.
    func accumulate(dX: UnsafePointer<Float>, labels: [[Int]], seq: Int) {
        let w = width, k1 = prefixCount, k2 = postfixCount
        for (b, ids) in labels.enumerated() {
            let row = dX + b * seq * w
            addInPlace(prefix.grad.pointer, row + w, count: k1 * w)
            addInPlace(postfix.grad.pointer, row + (1 + k1 + ids.count) * w, count: k2 * w)
        }
    }
}
