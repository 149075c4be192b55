/* The commit the build system writes for wipe/build.c; fixed for fuzzing. */
const char wp_build_commit[] = "fuzz";
