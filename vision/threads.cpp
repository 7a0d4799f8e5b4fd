// cv::setNumThreads and cv::getNumThreads, which gocv v0.31 does not
// wrap (see threads.go).
#include <opencv2/core/utility.hpp>

#include "threads.h"

void regfus_cv_set_num_threads(int n) { cv::setNumThreads(n); }

int regfus_cv_get_num_threads(void) { return cv::getNumThreads(); }
