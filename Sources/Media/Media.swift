import CFFmpeg
import Imaging

/// FFmpeg-backed media access. Videos: `VideoFile` (open, describe, sample timed RGB frames),
/// `FrameSampler` (the same as a pull iterator), `PNGWriter`; limits in `MediaLimits`, failures as
/// `MediaError`, survived damage as `MediaWarning`.
public enum Media {}
