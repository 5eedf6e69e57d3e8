/*
 * A stand-in for libnvidia-ml.so.1, built by the GPU tests with
 *   cc -shared -fPIC -o <dir>/libnvidia-ml-standin.so fake_nvml.c [-DOMIT_<symbol> ...]
 * so that the agent's real dlopen/dlsym path runs without a GPU.
 *
 * It exports the NVML functions the agent uses, with the C signatures and struct layouts of nvml.h
 * (API version 13). Its GPUs are scripted by a text file next to the library: "<library path>.conf",
 * found through dladdr, so every test can load its own copy with its own script. The file is read again
 * by nvmlInit_v2 and by each nvmlDeviceGetCount_v2, so a test can change values between reads.
 *
 *   count 2                              number of GPUs (default 0)
 *   rc <function> <code>                 make a global function (nvmlInit_v2, nvmlDeviceGetCount_v2) fail
 *   gpu <i> name <text to end of line>
 *   gpu <i> uuid <text>
 *   gpu <i> memory <total> <free> <used> <reserved>    bytes
 *   gpu <i> utilization <gpu %> <memory %>
 *   gpu <i> process <pid> <bytes>        repeatable; bytes "na" = NVML_VALUE_NOT_AVAILABLE
 *   gpu <i> rc <function> <code>         make one NVML function fail for GPU i with this nvmlReturn_t
 *   gpu <i> mig <slot> <uuid> <gi> <ci> <total> <free> <used>
 *                                        a MIG device in slot 0-7; any such line puts GPU i in MIG mode
 *                                        (memory in bytes; MIG handles answer nvmlDeviceGetUUID, the
 *                                        memory calls and the instance-ID calls)
 *
 * Each OMIT_<function> macro leaves that symbol out, to simulate an older or broken library.
 * standin_counter("init" | "shutdown" | "count") tells the tests how often those were called, and every
 * nvmlInit_v2 and nvmlShutdown call is appended to "<library path>.calls" (for tests that run the agent
 * as a separate process).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned int nvmlReturn_t;
typedef struct standin_device *nvmlDevice_t;

enum {
    NVML_SUCCESS = 0, NVML_ERROR_UNINITIALIZED = 1, NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_INSUFFICIENT_SIZE = 7, NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
};

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;

_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t is 24 bytes");
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t is 40 bytes");
_Static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t is 24 bytes");
#define NVML_MEMORY_V2 ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))

#define MAX_GPUS 16
#define MAX_PROCESSES 32
#define MAX_FAILS 16
#define MIG_SLOTS 8
#define MAX_MIGS 32

struct fail { char function[64]; unsigned int code; };

struct standin_device {
    char name[256], uuid[256];
    unsigned long long total, free, used, reserved;
    unsigned int util_gpu, util_memory;
    unsigned int process_count;
    nvmlProcessInfo_t processes[MAX_PROCESSES];
    unsigned int fail_count;
    struct fail fails[MAX_FAILS];
    unsigned int mig_mode;                        /* NVML_DEVICE_MIG_ENABLE when any mig line names it */
    struct standin_device *mig[MIG_SLOTS];        /* a GPU's MIG devices by slot */
    unsigned int gpu_instance, compute_instance;  /* a MIG device's IDs */
};

static struct {
    unsigned int count;
    unsigned int fail_count;
    struct fail fails[MAX_FAILS];
    struct standin_device gpus[MAX_GPUS];
    unsigned int mig_count;
    struct standin_device migs[MAX_MIGS];
} config;

static int initialised;  /* NVML's reference count */
static int init_calls, shutdown_calls, count_calls;

static void library_file(char *path, size_t size, const char *suffix) {
    Dl_info info;
    path[0] = 0;
    if (dladdr((void *)&library_file, &info) && info.dli_fname) snprintf(path, size, "%s%s", info.dli_fname, suffix);
}

static void record_call(const char *function, nvmlReturn_t result) {
    char path[4096];
    library_file(path, sizeof path, ".calls");
    FILE *file = path[0] ? fopen(path, "a") : NULL;
    if (!file) return;
    fprintf(file, "%s %u\n", function, result);
    fclose(file);
}

static void load_config(void) {
    memset(&config, 0, sizeof config);
    char path[4096];
    library_file(path, sizeof path, ".conf");
    FILE *file = path[0] ? fopen(path, "r") : NULL;
    if (!file) return;
    char line[512];
    while (fgets(line, sizeof line, file)) {
        line[strcspn(line, "\n")] = 0;
        unsigned int i, code;
        char key[64], function[64], rest[256];
        if (sscanf(line, "count %u", &config.count) == 1) continue;
        if (sscanf(line, "rc %63s %u", function, &code) == 2 && config.fail_count < MAX_FAILS) {
            snprintf(config.fails[config.fail_count].function, 64, "%s", function);
            config.fails[config.fail_count++].code = code;
            continue;
        }
        if (sscanf(line, "gpu %u %63s", &i, key) != 2 || i >= MAX_GPUS) continue;
        struct standin_device *d = &config.gpus[i];
        if (!strcmp(key, "name") && sscanf(line, "gpu %*u name %255[^\n]", rest) == 1) snprintf(d->name, sizeof d->name, "%s", rest);
        else if (!strcmp(key, "uuid") && sscanf(line, "gpu %*u uuid %255s", rest) == 1) snprintf(d->uuid, sizeof d->uuid, "%s", rest);
        else if (!strcmp(key, "memory")) sscanf(line, "gpu %*u memory %llu %llu %llu %llu", &d->total, &d->free, &d->used, &d->reserved);
        else if (!strcmp(key, "mig") && config.mig_count < MAX_MIGS) {
            unsigned int slot;
            struct standin_device *m = &config.migs[config.mig_count];
            if (sscanf(line, "gpu %*u mig %u %255s %u %u %llu %llu %llu", &slot, m->uuid, &m->gpu_instance,
                       &m->compute_instance, &m->total, &m->free, &m->used) == 7 && slot < MIG_SLOTS) {
                d->mig_mode = 1;
                d->mig[slot] = m;
                config.mig_count++;
            }
        }
        else if (!strcmp(key, "utilization")) sscanf(line, "gpu %*u utilization %u %u", &d->util_gpu, &d->util_memory);
        else if (!strcmp(key, "process") && d->process_count < MAX_PROCESSES) {
            nvmlProcessInfo_t *p = &d->processes[d->process_count];
            if (sscanf(line, "gpu %*u process %u %255s", &p->pid, rest) == 2) {
                p->usedGpuMemory = strcmp(rest, "na") ? strtoull(rest, NULL, 10) : ~0ULL;
                p->gpuInstanceId = p->computeInstanceId = 0xFFFFFFFFu;
                d->process_count++;
            }
        } else if (!strcmp(key, "rc") && d->fail_count < MAX_FAILS
                   && sscanf(line, "gpu %*u rc %63s %u", function, &code) == 2) {
            snprintf(d->fails[d->fail_count].function, 64, "%s", function);
            d->fails[d->fail_count++].code = code;
        }
    }
    fclose(file);
}

static nvmlReturn_t scripted(const struct fail *fails, unsigned int n, const char *function) {
    for (unsigned int i = 0; i < n; i++)
        if (!strcmp(fails[i].function, function)) return fails[i].code;
    return NVML_SUCCESS;
}

/* The device call's scripted failure, or UNINITIALIZED/INVALID_ARGUMENT as real NVML would answer. */
static nvmlReturn_t device_check(nvmlDevice_t device, const char *function) {
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    int gpu = device >= config.gpus && device < config.gpus + MAX_GPUS;
    int mig = device >= config.migs && device < config.migs + MAX_MIGS;
    if (!device || (!gpu && !mig)) return NVML_ERROR_INVALID_ARGUMENT;
    return scripted(device->fails, device->fail_count, function);
}

int standin_counter(const char *name) {
    if (!strcmp(name, "init")) return init_calls;
    if (!strcmp(name, "shutdown")) return shutdown_calls;
    if (!strcmp(name, "count")) return count_calls;
    if (!strcmp(name, "initialised")) return initialised;
    return -1;
}

#ifndef OMIT_nvmlInit_v2
nvmlReturn_t nvmlInit_v2(void) {
    init_calls++;
    load_config();
    nvmlReturn_t r = scripted(config.fails, config.fail_count, "nvmlInit_v2");
    if (r == NVML_SUCCESS) initialised++;
    record_call("nvmlInit_v2", r);
    return r;
}
#endif

#ifndef OMIT_nvmlShutdown
nvmlReturn_t nvmlShutdown(void) {
    shutdown_calls++;
    nvmlReturn_t r = initialised ? NVML_SUCCESS : NVML_ERROR_UNINITIALIZED;
    if (initialised) initialised--;
    record_call("nvmlShutdown", r);
    return r;
}
#endif

#ifndef OMIT_nvmlDeviceGetCount_v2
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    count_calls++;
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    if (!count) return NVML_ERROR_INVALID_ARGUMENT;
    load_config();
    nvmlReturn_t r = scripted(config.fails, config.fail_count, "nvmlDeviceGetCount_v2");
    if (r != NVML_SUCCESS) return r;
    *count = config.count;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetHandleByIndex_v2
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    if (!device || index >= config.count || index >= MAX_GPUS) return NVML_ERROR_INVALID_ARGUMENT;
    nvmlReturn_t r = scripted(config.gpus[index].fails, config.gpus[index].fail_count, "nvmlDeviceGetHandleByIndex_v2");
    if (r != NVML_SUCCESS) return r;
    *device = &config.gpus[index];
    return NVML_SUCCESS;
}
#endif

__attribute__((unused)) static nvmlReturn_t copy_string(const char *value, char *out, unsigned int length) {
    if (!out) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(out, value, strlen(value) + 1);
    return NVML_SUCCESS;
}

#ifndef OMIT_nvmlDeviceGetName
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetName");
    return r != NVML_SUCCESS ? r : copy_string(device->name, name, length);
}
#endif

#ifndef OMIT_nvmlDeviceGetUUID
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetUUID");
    return r != NVML_SUCCESS ? r : copy_string(device->uuid, uuid, length);
}
#endif

#ifndef OMIT_nvmlDeviceGetMemoryInfo
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetMemoryInfo");
    if (r != NVML_SUCCESS) return r;
    if (!memory) return NVML_ERROR_INVALID_ARGUMENT;
    memory->total = device->total;
    memory->free = device->free;
    memory->used = device->total - device->free;  /* v1 "used" includes the driver reservation */
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetMemoryInfo_v2
nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetMemoryInfo_v2");
    if (r != NVML_SUCCESS) return r;
    if (!memory) return NVML_ERROR_INVALID_ARGUMENT;
    if (memory->version != NVML_MEMORY_V2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    memory->total = device->total;
    memory->reserved = device->reserved;
    memory->free = device->free;
    memory->used = device->used;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetUtilizationRates
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetUtilizationRates");
    if (r != NVML_SUCCESS) return r;
    if (!utilization) return NVML_ERROR_INVALID_ARGUMENT;
    utilization->gpu = device->util_gpu;
    utilization->memory = device->util_memory;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetComputeRunningProcesses_v3
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_t *infos) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetComputeRunningProcesses_v3");
    if (r != NVML_SUCCESS) return r;
    if (!count) return NVML_ERROR_INVALID_ARGUMENT;
    if (*count < device->process_count) {
        *count = device->process_count;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    if (device->process_count > 0 && !infos) return NVML_ERROR_INVALID_ARGUMENT;
    memcpy(infos, device->processes, device->process_count * sizeof *infos);
    *count = device->process_count;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetMigMode
nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *current, unsigned int *pending) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetMigMode");
    if (r != NVML_SUCCESS) return r;
    if (!current || !pending) return NVML_ERROR_INVALID_ARGUMENT;
    *current = *pending = device->mig_mode;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetMaxMigDeviceCount
nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetMaxMigDeviceCount");
    if (r != NVML_SUCCESS) return r;
    if (!count) return NVML_ERROR_INVALID_ARGUMENT;
    *count = device->mig_mode ? MIG_SLOTS : 0;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetMigDeviceHandleByIndex
nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t *mig) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetMigDeviceHandleByIndex");
    if (r != NVML_SUCCESS) return r;
    if (!mig || index >= MIG_SLOTS) return NVML_ERROR_INVALID_ARGUMENT;
    if (!device->mig[index]) return 6; /* NVML_ERROR_NOT_FOUND: an empty slot */
    *mig = device->mig[index];
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetGpuInstanceId
nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetGpuInstanceId");
    if (r != NVML_SUCCESS) return r;
    if (!id) return NVML_ERROR_INVALID_ARGUMENT;
    *id = device->gpu_instance;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlDeviceGetComputeInstanceId
nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
    nvmlReturn_t r = device_check(device, "nvmlDeviceGetComputeInstanceId");
    if (r != NVML_SUCCESS) return r;
    if (!id) return NVML_ERROR_INVALID_ARGUMENT;
    *id = device->compute_instance;
    return NVML_SUCCESS;
}
#endif

#ifndef OMIT_nvmlErrorString
const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 3: return "Not Supported";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    case 18: return "RM has detected an NVML/RM version mismatch.";
    case 25: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}
#endif
