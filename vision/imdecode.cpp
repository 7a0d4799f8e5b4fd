// cv::imdecode into a caller's buffer, which gocv v0.31 does not wrap (its
// IMDecode copies the stream into a std::vector and decodes into a new
// Mat); see DecodeJPEGGray in jpeg.go.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "imdecode.h"

int regfus_imdecode_into(const unsigned char *buf, int len, int flags, unsigned char *dst, int w, int h) {
	try {
		cv::Mat src(1, len, CV_8U, (void *)buf);
		// imdecode create()s its destination at the stream's size and
		// type: a Mat already of that size and type keeps its buffer.
		cv::Mat out(h, w, CV_8UC1, dst);
		cv::imdecode(src, flags, &out);
		if (out.empty()) {
			return REGFUS_DECODE_FAILED;
		}
		if (out.data != dst || out.rows != h || out.cols != w || out.type() != CV_8UC1 || !out.isContinuous()) {
			return REGFUS_DECODE_ELSEWHERE;
		}
		return REGFUS_DECODED;
	} catch (...) {
		return REGFUS_DECODE_THREW;
	}
}
