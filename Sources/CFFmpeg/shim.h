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
