# CTest suite (CPU only). Driver-API tests run under LD_PRELOAD=libvgpu.so with the stub driver.
set(VGPU_STUB_DIR ${CMAKE_BINARY_DIR}/stub)
set(VGPU_TEST_TMP ${CMAKE_BINARY_DIR}/test-tmp)
file(MAKE_DIRECTORY ${VGPU_TEST_TMP})

add_executable(test_core tests/test_core.c)
add_executable(test_fuzz tests/test_fuzz.c)
add_executable(test_region tests/test_region.c)
foreach(t test_core test_fuzz test_region)
  target_link_libraries(${t} PRIVATE vgpu_core)
  if(VGPU_SANITIZE)
    target_compile_options(${t} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${t} PRIVATE -fsanitize=address,undefined)
  endif()
  add_test(NAME ${t} COMMAND ${t})
endforeach()
# the policy core objects in the sanitized tests must be sanitized too
if(VGPU_SANITIZE)
  add_library(vgpu_core_san STATIC src/core.c src/region.c src/track.c)
  target_include_directories(vgpu_core_san PUBLIC include)
  target_compile_options(vgpu_core_san PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_libraries(vgpu_core_san PUBLIC pthread)
  foreach(t test_core test_fuzz test_region)
    set_property(TARGET ${t} PROPERTY LINK_LIBRARIES vgpu_core_san)
  endforeach()
endif()

add_executable(test_driver tests/test_driver.c)
target_link_libraries(test_driver PRIVATE stub_cuda stub_nvml dl)

function(vgpu_driver_test name)
  cmake_parse_arguments(T "" "" "ARGS;ENV" ${ARGN})
  add_test(NAME driver_${name} COMMAND test_driver ${T_ARGS})
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
vgpu_driver_test(procaddr ARGS procaddr ENV ${L64})
vgpu_driver_test(launch ARGS launch ENV CUDA_DEVICE_SM_LIMIT=50;GPU_CORE_UTILIZATION_POLICY=force)
vgpu_driver_test(throttle ARGS throttle throttled ENV CUDA_DEVICE_SM_LIMIT=10;GPU_CORE_UTILIZATION_POLICY=force;STUB_NVML_UTIL=100)
vgpu_driver_test(throttle_disabled ARGS throttle free ENV CUDA_DEVICE_SM_LIMIT=10;GPU_CORE_UTILIZATION_POLICY=disable;STUB_NVML_UTIL=100)
vgpu_driver_test(race ARGS race ENV CUDA_DEVICE_MEMORY_LIMIT=1g;STUB_CUDA_TOTAL_MEM=80g)
vgpu_driver_test(killmem ARGS killmem ENV CUDA_DEVICE_MEMORY_LIMIT=1g)

# Probe CLI, bad shared files through the preload, and silent pass-through without a driver.
add_test(NAME probe_cases COMMAND sh ${CMAKE_SOURCE_DIR}/tests/probe_cases.sh
  $<TARGET_FILE:vgpu> ${VGPU_STUB_DIR} $<TARGET_FILE:vgpu-probe> ${VGPU_TEST_TMP}/probe)
set_tests_properties(probe_cases PROPERTIES TIMEOUT 60)
# The GPU check script must keep working: exercised against the stubs.
add_test(NAME gpu_check_stub COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/gpu-check.sh --stub --build-dir ${CMAKE_BINARY_DIR})
set_tests_properties(gpu_check_stub PROPERTIES TIMEOUT 90)
