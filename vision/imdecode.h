#ifndef REGFUS_VISION_IMDECODE_H
#define REGFUS_VISION_IMDECODE_H

#ifdef __cplusplus
extern "C" {
#endif

// regfus_imdecode_into's results.
enum {
	REGFUS_DECODED = 0,      // the pixels are in dst
	REGFUS_DECODE_FAILED = 1, // not an image OpenCV can decode
	REGFUS_DECODE_ELSEWHERE = 2, // decoded, but not as w x h 8-bit grey
	REGFUS_DECODE_THREW = 3   // OpenCV threw
};

int regfus_imdecode_into(const unsigned char *buf, int len, int flags, unsigned char *dst, int w, int h);

#ifdef __cplusplus
}
#endif

#endif
