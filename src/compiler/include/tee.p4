// p4tee: functions that run in a trusted execution environment (TEE), called from a P4 program.
// A TeeFunction instance names one function of an enclave module ("study-xor", "crypt"); call()
// copies exactly the fields of `input` into the enclave and the result back into `output`.
// I and O are structs or headers whose fields are all bit<N>; records cross the boundary packed
// big-endian in field order. If the enclave cannot answer, the packet is dropped (fail closed).

#ifndef _P4TEE_TEE_P4_
#define _P4TEE_TEE_P4_

extern TeeFunction<I, O> {
    TeeFunction(string module_name, string function_name);
    void call(in I input, out O output);
}

#endif
