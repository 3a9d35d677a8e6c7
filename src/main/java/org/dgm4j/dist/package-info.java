/**
 * Data-parallel communication: the {@link org.dgm4j.dist.Communicator} SPI (rank, size, bucketed
 * all-reduce sums, broadcasts of tensors and bytes, barrier, abort, close) and its implementations,
 * chosen by {@link org.dgm4j.dist.Communicators#select}: {@code local} (one process),
 * {@code mpi} (a JavaCPP binding of our own flat C shim over the MPI C API, native/mpi and
 * native/include/dgm4j/mpi.h; built by CMake when it finds MPI, else a stub with the same ABI whose
 * reason {@link org.dgm4j.dist.MpiProbe} reports) and {@code nccl} (below).
 *
 * <p>Running an MPI job (Open MPI; every rank runs the same command):
 *
 * <pre>
 * mpirun -np 4 java -jar target/dgm4j.jar ...      # or: srun -n 4 --mpi=pmix java -jar ...
 * </pre>
 *
 * {@code select("auto")} sees the launcher's variables (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
 * SLURM_STEP_NUM_TASKS) and initializes MPI; without them it stays local. Open MPI's mpirun
 * edits the command line of an application named {@code java} (for its own Java bindings, schizo
 * component): it adds -Djava.library.path, takes the first argument that merely contains "cp" for
 * the class-path option and rewrites the argument after it. An option such as
 * -Dorg.bytedeco.javacpp.cachedir=... then breaks the command ("Could not find or load main class
 * .../dir:-jar"). Start java through {@code env} (or a script) to keep the command as written:
 * {@code mpirun -np 2 env java -Dorg.bytedeco.javacpp.cachedir=... -jar target/dgm4j.jar ...}.
 *
 * <p>{@code nccl} ({@link org.dgm4j.dist.NcclCommunicator}): CUDA tensors reduced GPU to GPU by NCCL
 * through the JavaCPP CUDA presets, on the CUDA backend's stream, in the buckets of {@code Buckets};
 * rank 0 creates the unique id ({@code ncclGetUniqueId}), the wrapped MPI (or local) communicator
 * broadcasts it as bytes, {@code ncclCommInitRank} joins. {@link org.dgm4j.dist.NcclProbe} loads
 * the presets once, after the CUDA probe succeeded, and keeps the reason when libnccl is missing.
 */
package org.dgm4j.dist;
