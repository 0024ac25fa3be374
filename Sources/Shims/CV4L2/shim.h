#ifndef CALL_SHIM_V4L2_H
#define CALL_SHIM_V4L2_H
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>
#include <libv4l2.h>

// v4l2_open and v4l2_ioctl are variadic; the VIDIOC_* requests are macros.
static inline int call_v4l2_open(const char *path) { return v4l2_open(path, O_RDWR | O_NONBLOCK, 0); }
static inline int call_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
static inline unsigned long call_VIDIOC_QUERYCAP(void) { return VIDIOC_QUERYCAP; }
static inline unsigned long call_VIDIOC_ENUM_FMT(void) { return VIDIOC_ENUM_FMT; }
static inline unsigned long call_VIDIOC_ENUM_FRAMESIZES(void) { return VIDIOC_ENUM_FRAMESIZES; }
static inline unsigned long call_VIDIOC_S_FMT(void) { return VIDIOC_S_FMT; }
static inline unsigned long call_VIDIOC_G_FMT(void) { return VIDIOC_G_FMT; }
static inline unsigned long call_VIDIOC_S_PARM(void) { return VIDIOC_S_PARM; }
static inline unsigned long call_VIDIOC_REQBUFS(void) { return VIDIOC_REQBUFS; }
static inline unsigned long call_VIDIOC_QUERYBUF(void) { return VIDIOC_QUERYBUF; }
static inline unsigned long call_VIDIOC_QBUF(void) { return VIDIOC_QBUF; }
static inline unsigned long call_VIDIOC_DQBUF(void) { return VIDIOC_DQBUF; }
static inline unsigned long call_VIDIOC_STREAMON(void) { return VIDIOC_STREAMON; }
static inline unsigned long call_VIDIOC_STREAMOFF(void) { return VIDIOC_STREAMOFF; }
static inline unsigned int call_V4L2_PIX_FMT_YUV420(void) { return V4L2_PIX_FMT_YUV420; }
#endif
