package vision

import "os"

// regfus parallelises across pages (one worker per core), so OpenCV's own
// thread pool inside each call only adds contention: measured on 2 cores,
// a page took 1.0 s with it and 0.58 s without. OpenCV reads this variable
// the first time it parallelises, which is after package initialisation;
// a value set by the user wins.
func init() {
	if _, ok := os.LookupEnv("OPENCV_FOR_THREADS_NUM"); !ok {
		os.Setenv("OPENCV_FOR_THREADS_NUM", "1")
	}
}
