import CFFmpeg
import Imaging

/// FFmpeg-backed media access: probing, decoding, sampling. See the Media issue.
public enum Media {}
