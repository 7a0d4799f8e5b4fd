package vision

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "threads.h"
*/
import "C"

import (
	"os"
	"strconv"
)

// regfus parallelises across pages (one worker per core), so OpenCV's own
// thread pool inside each call only adds contention: measured on 2 cores,
// a page took 1.0 s with it and 0.58 s without.
//
// Debian's OpenCV runs parallel_for_ on TBB, whose arena is sized when the
// library loads and does not read OPENCV_FOR_THREADS_NUM (only the
// pthreads backend does): setting that variable from Go, as this package
// did, left TBB's second thread warping, resizing and spinning beside each
// worker (samples in libopencv_imgproc and libtbb on threads Go did not
// start, 13 ms of CPU a page in a profile of regfus scan). So OpenCV is
// told with cv::setNumThreads, which makes parallel_for_ run its body in
// the calling thread. OPENCV_FOR_THREADS_NUM set by the user still wins:
// its value is passed on (0 and 1 both mean no pool).
func init() {
	n := 1
	if v, ok := os.LookupEnv("OPENCV_FOR_THREADS_NUM"); ok {
		if k, err := strconv.Atoi(v); err == nil && k >= 0 {
			n = k
		}
	} else {
		os.Setenv("OPENCV_FOR_THREADS_NUM", "1")
	}
	C.regfus_cv_set_num_threads(C.int(n))
}

// openCVThreads is how many threads OpenCV's parallel_for_ may use.
func openCVThreads() int { return int(C.regfus_cv_get_num_threads()) }
