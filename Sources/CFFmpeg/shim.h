// FFmpeg 5.1 (Debian: libavformat-dev, libavcodec-dev, libswscale-dev, libavutil-dev).
// Swift cannot import function-like or cast macros; they are re-exported here.
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/opt.h>
#include <errno.h>

static inline int cdx_averror(int e) { return AVERROR(e); }
static inline int cdx_averror_eof(void) { return AVERROR_EOF; }
static inline int cdx_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int64_t cdx_nopts(void) { return AV_NOPTS_VALUE; }
static inline int cdx_error_string(int err, char *buf, size_t size) { return av_strerror(err, buf, size); }
static inline enum AVPixelFormat cdx_pix_fmt_yuv444p16(void) { return AV_PIX_FMT_YUV444P16; }

// --- Media (video) helpers ---
static inline int cdx_averror_exit(void) { return AVERROR_EXIT; }
static inline int cdx_averror_eagain(void) { return AVERROR(EAGAIN); }

/// Display rotation of a video stream in degrees counter-clockwise (as av_display_rotation_get
/// returns it), or 0 when the stream carries no display matrix. The side-data location moved in
/// FFmpeg 6.1 (codecpar->coded_side_data); this is the one place that knows.
static inline double cdx_stream_rotation(const AVStream *st) {
#if LIBAVFORMAT_VERSION_MAJOR >= 61 || (LIBAVFORMAT_VERSION_MAJOR == 60 && LIBAVFORMAT_VERSION_MINOR >= 15)
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    if (!sd || sd->size < 9 * sizeof(int32_t)) return 0;
    double r = av_display_rotation_get((const int32_t *)sd->data);
#else
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t)) return 0;
    double r = av_display_rotation_get((const int32_t *)m);
#endif
    return r != r ? 0 : r;   // NaN (degenerate matrix) → no rotation
}
