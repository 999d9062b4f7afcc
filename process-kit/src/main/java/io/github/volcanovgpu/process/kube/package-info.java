/**
 * How the programs talk to the Kubernetes API server: the clients ({@link KubeClients}: one for requests, one
 * without read timeout for watches), client-java's JSON made lenient to fields it does not know ({@link KubeJson}),
 * and informers that keep no managedFields ({@link Informers}).
 */
@NullMarked
package io.github.volcanovgpu.process.kube;

import org.jspecify.annotations.NullMarked;
