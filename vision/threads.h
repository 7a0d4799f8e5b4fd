#ifndef REGFUS_VISION_THREADS_H
#define REGFUS_VISION_THREADS_H

#ifdef __cplusplus
extern "C" {
#endif

void regfus_cv_set_num_threads(int n);
int regfus_cv_get_num_threads(void);

#ifdef __cplusplus
}
#endif

#endif
