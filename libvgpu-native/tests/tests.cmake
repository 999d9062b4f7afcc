# CTest suite (CPU only). Driver-API tests run under LD_PRELOAD=libvgpu.so with the stub driver.
set(VGPU_STUB_DIR ${CMAKE_BINARY_DIR}/stub)
set(VGPU_TEST_TMP ${CMAKE_BINARY_DIR}/test-tmp)
file(MAKE_DIRECTORY ${VGPU_TEST_TMP})

add_executable(test_core tests/test_core.c)
add_executable(test_fuzz tests/test_fuzz.c)
add_executable(test_region tests/test_region.c)
add_executable(test_limits tests/test_limits.c)
add_executable(test_timeslice tests/test_timeslice.c)
foreach(t test_core test_fuzz test_region test_limits test_timeslice)
  target_link_libraries(${t} PRIVATE vgpu_core)
  if(VGPU_SANITIZE)
    target_compile_options(${t} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${t} PRIVATE -fsanitize=address,undefined)
  endif()
  if(t STREQUAL "test_limits")
    add_test(NAME ${t} COMMAND ${t} ${CMAKE_SOURCE_DIR}/tests/golden ${VGPU_TEST_TMP}/limits)
  else()
    add_test(NAME ${t} COMMAND ${t})
  endif()
endforeach()
# the policy core objects in the sanitized tests must be sanitized too
if(VGPU_SANITIZE)
  add_library(vgpu_core_san STATIC src/core.c src/region.c src/track.c src/limits_file.c src/timeslice.c)
  target_include_directories(vgpu_core_san PUBLIC include)
  target_compile_options(vgpu_core_san PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_libraries(vgpu_core_san PUBLIC pthread)
  foreach(t test_core test_fuzz test_region test_limits test_timeslice)
    set_property(TARGET ${t} PROPERTY LINK_LIBRARIES vgpu_core_san)
  endforeach()
endif()

add_executable(test_driver tests/test_driver.c)
target_link_libraries(test_driver PRIVATE stub_cuda stub_nvml dl pthread)
target_include_directories(test_driver PRIVATE include)

add_executable(test_early tests/test_early.c)
target_link_libraries(test_early PRIVATE dl)

function(vgpu_driver_test name)
  cmake_parse_arguments(T "" "BIN" "ARGS;ENV" ${ARGN})
  if(NOT T_BIN)
    set(T_BIN test_driver)
  endif()
  add_test(NAME driver_${name} COMMAND ${T_BIN} ${T_ARGS})
  set_tests_properties(driver_${name} PROPERTIES TIMEOUT 60 ENVIRONMENT
    "LD_PRELOAD=$<TARGET_FILE:vgpu>;LD_LIBRARY_PATH=${VGPU_STUB_DIR};CUDA_DEVICE_MEMORY_SHARED_CACHE=${VGPU_TEST_TMP}/${name}.cache;LIBCUDA_LOG_LEVEL=1;${T_ENV}")
  add_test(NAME driver_${name}_reset COMMAND ${CMAKE_COMMAND} -E rm -f ${VGPU_TEST_TMP}/${name}.cache)
  set_tests_properties(driver_${name} PROPERTIES FIXTURES_REQUIRED reset_${name})
  set_tests_properties(driver_${name}_reset PROPERTIES FIXTURES_SETUP reset_${name})
endfunction()

set(L64 "CUDA_DEVICE_MEMORY_LIMIT_0=64m;CUDA_DEVICE_MEMORY_LIMIT_1=32m;STUB_CUDA_TOTAL_MEM=1g")
vgpu_driver_test(limits ARGS limits ENV ${L64})
vgpu_driver_test(producers ARGS producers ENV ${L64})
vgpu_driver_test(oversubscribe ARGS oversubscribe ENV ${L64};CUDA_OVERSUBSCRIBE=true)
vgpu_driver_test(dlsym ARGS dlsym ENV ${L64})
vgpu_driver_test(contexts ARGS contexts ENV ${L64};STUB_CUDA_CONTEXT_MEM=10m)
vgpu_driver_test(procaddr ARGS procaddr ENV ${L64})
vgpu_driver_test(graphs ARGS graphs ENV ${L64})
vgpu_driver_test(procaddr_thunks ARGS procaddr_thunks ENV ${L64};STUB_CUDA_PROCADDR_THUNKS=1)
vgpu_driver_test(launch ARGS launch ENV CUDA_DEVICE_SM_LIMIT=50;GPU_CORE_UTILIZATION_POLICY=force)
vgpu_driver_test(throttle ARGS throttle throttled ENV CUDA_DEVICE_SM_LIMIT=10;GPU_CORE_UTILIZATION_POLICY=force;STUB_NVML_UTIL=100)
vgpu_driver_test(throttle_disabled ARGS throttle free ENV CUDA_DEVICE_SM_LIMIT=10;GPU_CORE_UTILIZATION_POLICY=disable;STUB_NVML_UTIL=100)
# the limits file sets 10 %: GPU_CORE_UTILIZATION_POLICY=disable and an SM limit of 0 (none) in the env lift nothing
file(WRITE ${VGPU_TEST_TMP}/sm10.limits "version=1\nkind=cuda\ndevices=1\ndevice.0.id=GPU-0\ndevice.0.memory_mib=0\ndevice.0.core_percent=10\npriority=1\ncore_policy=force\noversubscribe=false\n")
vgpu_driver_test(throttle_file_wins ARGS throttle throttled ENV VGPU_LIMITS_FILE=${VGPU_TEST_TMP}/sm10.limits;CUDA_DEVICE_SM_LIMIT=0;GPU_CORE_UTILIZATION_POLICY=disable;STUB_NVML_UTIL=100)
vgpu_driver_test(early BIN test_early ENV ${L64};STUB_CUDA_CTOR_REENTER=1)
vgpu_driver_test(threads_and_fork ARGS threads_and_fork ENV ${L64})
add_test(NAME driver_race_reset_peak COMMAND ${CMAKE_COMMAND} -E rm -f ${VGPU_TEST_TMP}/race.peak)
set_tests_properties(driver_race_reset_peak PROPERTIES FIXTURES_SETUP reset_race)
vgpu_driver_test(race ARGS race ENV CUDA_DEVICE_MEMORY_LIMIT=1g;STUB_CUDA_TOTAL_MEM=80g;STUB_CUDA_SHARED_USED=${VGPU_TEST_TMP}/race.peak)
vgpu_driver_test(killmem ARGS killmem ENV CUDA_DEVICE_MEMORY_LIMIT=1g)
# host PID discovery outside a PID namespace (host PID = PID), and inside one (root only; skipped otherwise)
add_test(NAME driver_hostpid_reset_procs COMMAND ${CMAKE_COMMAND} -E rm -f ${VGPU_TEST_TMP}/hostpid.procs)
set_tests_properties(driver_hostpid_reset_procs PROPERTIES FIXTURES_SETUP reset_hostpid)
vgpu_driver_test(hostpid ARGS hostpid ENV STUB_CUDA_PROCS=${VGPU_TEST_TMP}/hostpid.procs;CUDA_DEVICE_SM_LIMIT=50;GPU_CORE_UTILIZATION_POLICY=force)
add_test(NAME hostpid_ns COMMAND sh ${CMAKE_SOURCE_DIR}/tests/hostpid_ns.sh $<TARGET_FILE:vgpu> ${VGPU_STUB_DIR}
  $<TARGET_FILE:test_driver> ${VGPU_TEST_TMP}/hostpid_ns $<TARGET_FILE:vgpu-region>)
set_tests_properties(hostpid_ns PROPERTIES TIMEOUT 60 SKIP_RETURN_CODE 77)

# Probe CLI, bad shared files through the preload, and silent pass-through without a driver.
add_test(NAME probe_cases COMMAND sh ${CMAKE_SOURCE_DIR}/tests/probe_cases.sh
  $<TARGET_FILE:vgpu> ${VGPU_STUB_DIR} $<TARGET_FILE:vgpu-probe> ${VGPU_TEST_TMP}/probe $<TARGET_FILE:vgpu-region>
  $<TARGET_FILE:npu-probe>)
set_tests_properties(probe_cases PROPERTIES TIMEOUT 60)
# The GPU check script must keep working: exercised against the stubs.
add_test(NAME gpu_check_stub COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/gpu-check.sh --stub --build-dir ${CMAKE_BINARY_DIR})
set_tests_properties(gpu_check_stub PROPERTIES TIMEOUT 90)
add_test(NAME npu_check_stub COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/npu-check.sh --stub --build-dir ${CMAKE_BINARY_DIR})
set_tests_properties(npu_check_stub PROPERTIES TIMEOUT 90)
# Without CANN the real check says so and exits 0 (skipped on purpose); the SKIP line is required. Where CANN is
# installed the real check runs instead, and this case is skipped.
add_test(NAME npu_check_skips_without_cann COMMAND sh -c
  "out=$(sh ${CMAKE_SOURCE_DIR}/scripts/npu-check.sh --build-dir ${CMAKE_BINARY_DIR}); rc=$?; echo \"$out\"; case \"$out\" in 'SKIP: no CANN'*) exit $rc;; *) exit 77;; esac")
set_tests_properties(npu_check_skips_without_cann PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
# Tamper-proof limits: every escape tried against the limits file (the ld.so.preload case needs root).
add_test(NAME tamper_cases COMMAND sh ${CMAKE_SOURCE_DIR}/tests/tamper_cases.sh
  $<TARGET_FILE:vgpu> ${VGPU_STUB_DIR} ${VGPU_TEST_TMP}/tamper cuda $<TARGET_FILE:vgpu-probe> npu $<TARGET_FILE:npu-probe>)
set_tests_properties(tamper_cases PROPERTIES TIMEOUT 90)

# Ascend front end on the stub runtime (libascendcl.so over libruntime.so), under the preload. Each case also runs
# with STUB_ACL_DIRECT=1 (ACL reaching the runtime internally: only the ACL-level hooks see ACL calls).
add_executable(test_npu tests/test_npu.c)
target_link_libraries(test_npu PRIVATE stub_acl stub_rt dl)
function(vgpu_npu_test name)
  cmake_parse_arguments(T "" "" "ARGS;ENV" ${ARGN})
  foreach(mode via_rt direct)
    set(t npu_${name}_${mode})
    set(direct 0)
    if(mode STREQUAL "direct")
      set(direct 1)
    endif()
    add_test(NAME ${t} COMMAND test_npu ${T_ARGS})
    set_tests_properties(${t} PROPERTIES TIMEOUT 60 ENVIRONMENT
      "LD_PRELOAD=$<TARGET_FILE:vgpu>;LD_LIBRARY_PATH=${VGPU_STUB_DIR};NPU_LOCAL_SHM_PATH=${VGPU_TEST_TMP}/${t}.region;STUB_ACL_DIRECT=${direct};STUB_NPU_SHARED_USED=${VGPU_TEST_TMP}/${t}.peak;VGPU_LOG_LEVEL=1;${T_ENV}")
    add_test(NAME ${t}_reset COMMAND ${CMAKE_COMMAND} -E rm -f ${VGPU_TEST_TMP}/${t}.region ${VGPU_TEST_TMP}/${t}.peak
      ${VGPU_TEST_TMP}/${t}.region.sched0)
    set_tests_properties(${t}_reset PROPERTIES FIXTURES_SETUP reset_${t})
    set_tests_properties(${t} PROPERTIES FIXTURES_REQUIRED reset_${t})
  endforeach()
endfunction()
vgpu_npu_test(quota ARGS quota ENV NPU_MEM_QUOTA=64;NPU_MEM_QUOTA_1=32;STUB_NPU_TOTAL_MEM=1g)
vgpu_npu_test(launches ARGS launches ENV NPU_CORE_PERCENT=50)
vgpu_npu_test(race ARGS race ENV NPU_MEM_QUOTA=1024;STUB_NPU_TOTAL_MEM=64g)
vgpu_npu_test(kill_and_fork ARGS kill_and_fork ENV NPU_MEM_QUOTA=1024)
vgpu_npu_test(passthrough ARGS passthrough ENV VGPU_LOG_LEVEL=2)
# the limits file sets a 50 % share: NPU_CORE_PERCENT=0 (none) in the env lifts nothing, launches still wait for turns
file(WRITE ${VGPU_TEST_TMP}/npu50.limits "version=1\nkind=npu\ndevices=1\ndevice.0.id=0\ndevice.0.memory_mib=0\ndevice.0.core_percent=50\npriority=1\ncore_policy=force\noversubscribe=false\n")
vgpu_npu_test(launches_file_wins ARGS launches ENV VGPU_LIMITS_FILE=${VGPU_TEST_TMP}/npu50.limits;NPU_CORE_PERCENT=0;NPU_PRIORITY=100)
# Compute shares on the stub runtimes' simulated device clock (device time is exact; the bound is generous because
# the processes' CPU time is not): 3 Ascend containers at 50/30/20, and two CUDA containers at 30/70 on one card.
add_test(NAME share_npu_50_30_20 COMMAND vgpu-share --api npu --shares 50,30,20 --seconds 2.5 --warmup-ms 500
  --tolerance 10 --work ${VGPU_TEST_TMP}/share_npu)
add_test(NAME share_cuda_30_70 COMMAND vgpu-share --api cuda --shares 30,70 --seconds 4 --warmup-ms 1500
  --tolerance 10 --work ${VGPU_TEST_TMP}/share_cuda)
set_tests_properties(share_npu_50_30_20 share_cuda_30_70 PROPERTIES TIMEOUT 60 ENVIRONMENT
  "LD_PRELOAD=$<TARGET_FILE:vgpu>;LD_LIBRARY_PATH=${VGPU_STUB_DIR};VGPU_LOG_LEVEL=1;LIBCUDA_LOG_LEVEL=1")
# The region's binary layout against its golden, which the Java monitor's RegionLayout is tested against too
# (proto: RegionLayoutTest): a layout change fails both until the golden and the Java side are updated together.
add_test(NAME region_layout_golden COMMAND sh -c
  "$<TARGET_FILE:vgpu-region> --layout | diff -u ${CMAKE_SOURCE_DIR}/tests/golden/region-layout.txt -")
# A region written by the library's own code, as bytes (the mutex left out): the Java decoder reads the same golden
# (proto: RegionSampleTest), so what C writes is what Java decodes.
add_test(NAME region_sample_golden COMMAND sh -c
  "$<TARGET_FILE:vgpu-region> --write-sample ${VGPU_TEST_TMP}/region-sample.cache | diff -u ${CMAKE_SOURCE_DIR}/tests/golden/region-sample.txt -")
