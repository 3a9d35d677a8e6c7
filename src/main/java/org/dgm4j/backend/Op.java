package org.dgm4j.backend;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Classifies each method of {@link Kernels} for the generic tests. A forward op is differentiable
 * when it has a backward rule in autograd (for enum-parameterised ops, per constant); a backward
 * kernel names the forward op whose gradcheck covers it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Op {
    /** Has a backward rule (methods taking an op enum defer to the constant's flag). */
    boolean differentiable() default false;

    /** For backward kernels: the forward op whose gradient check exercises this kernel. */
    String backwardOf() default "";
}
