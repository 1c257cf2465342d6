#include <hdf5.h>
#include <stdlib.h>

// HDF5's type, property and flag constants are macros over globals (or calls) that Swift
// cannot import; these inline functions expose them.
static inline hid_t fl_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t fl_h5s_all(void) { return H5S_ALL; }
static inline hid_t fl_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned fl_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned fl_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned fl_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline size_t fl_h5t_variable(void) { return H5T_VARIABLE; }
static inline hsize_t fl_h5s_unlimited(void) { return H5S_UNLIMITED; }

static inline hid_t fl_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t fl_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t fl_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t fl_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t fl_h5p_group_create(void) { return H5P_GROUP_CREATE; }

static inline hid_t fl_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t fl_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t fl_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t fl_h5t_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t fl_h5t_native_schar(void) { return H5T_NATIVE_SCHAR; }
static inline hid_t fl_h5t_native_uchar(void) { return H5T_NATIVE_UCHAR; }
static inline hid_t fl_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t fl_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t fl_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t fl_h5t_c_s1(void) { return H5T_C_S1; }
