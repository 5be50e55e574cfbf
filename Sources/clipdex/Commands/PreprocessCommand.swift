import ArgumentParser
import Imaging
import Media
import Tensor

/// `clipdex preprocess IMAGE --size N --out FILE.safetensors`: CLIP's image preprocessing, written as
/// tensor `pixel_values` float32 [3, N, N], for checking against other implementations.
struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Decode an image and run CLIP's preprocessing (resize, centre crop, normalise) into a safetensors file.")

    @Argument(help: "The image file (PNG, JPEG, BMP, WebP, ...).") var image: String
    @Option(help: "Output side in pixels (the model's image size).") var size: Int = 224
    @Option(help: "Output file; holds tensor pixel_values, float32 [3, size, size].") var out: String
    @Option(parsing: .upToNextOption, help: "Per-channel mean (3 values).") var mean: [Float] = CLIPNormalization.mean
    @Option(parsing: .upToNextOption, help: "Per-channel standard deviation (3 values).") var std: [Float] = CLIPNormalization.std

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
        guard mean.count == 3, std.count == 3 else { throw ValidationError("--mean and --std take 3 values each (R G B)") }
        guard !std.contains(0) else { throw ValidationError("--std values must be non-zero") }
    }

    func run() throws {
        do {
            let rgb = try ImageFile.load(image)
            var writer = SafeTensorsWriter()
            writer.add("pixel_values", shape: [3, size, size], values: clipPreprocess(rgb, size: size, mean: mean, std: std))
            try writer.write(to: out)
        } catch { fail("\(error)") }
    }
}
