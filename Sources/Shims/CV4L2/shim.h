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
// Added for the Camera module (CameraCapture, LibV4L2DeviceIO).
#include <stdint.h>
#include <sys/mman.h>
static inline unsigned long call_VIDIOC_ENUM_FRAMEINTERVALS(void) { return VIDIOC_ENUM_FRAMEINTERVALS; }
static inline unsigned long call_VIDIOC_G_PARM(void) { return VIDIOC_G_PARM; }
static inline unsigned int call_v4l2_fourcc(unsigned char a, unsigned char b, unsigned char c, unsigned char d) { return v4l2_fourcc(a, b, c, d); }
static inline unsigned int call_V4L2_PIX_FMT_YVU420(void) { return V4L2_PIX_FMT_YVU420; }
static inline unsigned int call_V4L2_PIX_FMT_YUYV(void) { return V4L2_PIX_FMT_YUYV; }
static inline unsigned int call_V4L2_PIX_FMT_NV12(void) { return V4L2_PIX_FMT_NV12; }
static inline unsigned int call_V4L2_PIX_FMT_RGB24(void) { return V4L2_PIX_FMT_RGB24; }
static inline unsigned int call_V4L2_PIX_FMT_BGR24(void) { return V4L2_PIX_FMT_BGR24; }
static inline unsigned int call_V4L2_PIX_FMT_MJPEG(void) { return V4L2_PIX_FMT_MJPEG; }
// MAP_FAILED is a cast macro; this returns NULL instead (errno set by mmap).
static inline void *call_v4l2_mmap(int fd, size_t length, int64_t offset) {
    void *p = v4l2_mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    return p == MAP_FAILED ? NULL : p;
}
#endif
