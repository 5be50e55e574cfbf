/// Resizes `image` to `width`×`height` with Pillow 9.4's bicubic filter (antialiased when shrinking),
/// byte-for-byte as `Image.resize((width, height), Image.BICUBIC)` does on an RGB image.
/// For many images of one size, build a `Resampler` once instead.
public func resizeBicubic(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    Resampler(sourceWidth: image.width, sourceHeight: image.height, targetWidth: width, targetHeight: height)
        .resample(image)
}

/// The size CLIP's resize step gives: the shorter side becomes `size`, the other
/// `int(size * long / short)` (truncated, as Hugging Face's `get_resize_output_image_size` does).
public func shorterSideTarget(width: Int, height: Int, size: Int) -> (width: Int, height: Int) {
    precondition(width > 0 && height > 0 && size > 0, "image \(width)×\(height) or size \(size) not positive")
    let short = min(width, height), long = max(width, height)
    let other = Int(Double(size * long) / Double(short))
    return width <= height ? (size, other) : (other, size)
}

/// Resizes so that the shorter side is `size` (bicubic, Pillow-compatible), keeping the aspect ratio
/// as CLIP's image processor does.
public func resizeShorterSide(_ image: RGBImage, to size: Int) -> RGBImage {
    let target = shorterSideTarget(width: image.width, height: image.height, size: size)
    return resizeBicubic(image, width: target.width, height: target.height)
}

/// Top-left offset of a centred crop of `crop` out of `length`: `round((length - crop) / 2)` with
/// Python's rounding (half to even), as the reference preprocessing computes it.
public func centerCropOffset(length: Int, crop: Int) -> Int {
    Int((Double(length - crop) / 2).rounded(.toNearestOrEven))
}
