// HDF5's C API, the interchange format of checkpoints.
#include <hdf5.h>

// H5T_* and H5P_* are macros that expand to function calls plus global ids; Swift cannot import them, so they are re-exported here.
static inline hid_t reprise_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t reprise_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t reprise_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t reprise_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t reprise_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t reprise_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t reprise_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t reprise_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t reprise_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t reprise_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t reprise_h5p_object_create(void) { return H5P_OBJECT_CREATE; }
static inline hid_t reprise_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t reprise_h5s_all(void) { return H5S_ALL; }
static inline unsigned reprise_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned reprise_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline herr_t reprise_h5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
